// Package watch polls a list of items at a fixed interval and reports what
// changed between two polls: items added, changed or removed, matched by
// key (the "id" of API objects). It knows nothing of HTTP or terminals: the
// caller gives a fetch function and a Sink that draws or prints.
//
// Requests never overlap: the next poll starts Interval after the previous
// one started, or at once when the previous one took longer than that.
package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Interval bounds of --watch.
const (
	DefaultInterval = 5 * time.Second
	MinInterval     = time.Second
	MaxInterval     = 24 * time.Hour
)

// Event kinds, as printed in the JSON lines.
const (
	Added   = "added"
	Changed = "changed"
	Removed = "removed"
)

// Item is one object of a poll: its key and its JSON as the API sent it.
type Item struct {
	Key string
	Raw json.RawMessage
}

// Event is one change between two polls. Item is the new object (for a
// removed item, the last one seen).
type Event struct {
	Kind string
	At   time.Time
	Item Item
}

// MarshalJSON writes {"event": ..., "at": ..., "item": {...}} (RFC 3339 UTC).
func (e Event) MarshalJSON() ([]byte, error) {
	item := e.Item.Raw
	if len(item) == 0 {
		item = json.RawMessage("null")
	}
	return json.Marshal(struct {
		Event string          `json:"event"`
		At    string          `json:"at"`
		Item  json.RawMessage `json:"item"`
	}{e.Kind, e.At.UTC().Format(time.RFC3339), item})
}

// Update is the result of one successful poll.
type Update struct {
	At     time.Time // when the poll started
	Next   time.Time // when the next poll starts
	Items  []Item    // the current items, in the order the API gave them
	Events []Event   // changes since the previous poll; every item is Added on the first
	First  bool
	// Marks says, per key, what happened to the item in this poll
	// (Added or Changed); unchanged items are absent.
	Marks map[string]string
}

// Sink receives what the watcher sees. Update and Error are called from the
// watching goroutine, one at a time.
type Sink interface {
	Update(u Update) error
	// Error reports a failed poll that will be tried again at next.
	Error(err error, at, next time.Time)
}

// Options tune Run.
type Options struct {
	Interval time.Duration // default DefaultInterval
	// Retry reports whether a failed poll is worth trying again (a 503, a
	// dropped connection). Other errors end Run. nil: every error ends it.
	Retry func(error) bool
	// Stop, when set, ends Run without error after a poll for which it
	// returns true (used to bound a watch).
	Stop func(polls int) bool
	Now  func() time.Time
	// Sleep waits for d or until ctx ends (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Run polls fetch until ctx ends (then it returns nil: Ctrl-C ends a watch
// normally), fetch fails with an error Retry refuses (returned), or the
// sink fails.
func Run(ctx context.Context, fetch func(context.Context) ([]Item, error), o Options, sink Sink) error {
	var prev map[string]Item
	return Every(ctx, o, func(ctx context.Context, at, next time.Time) error {
		items, err := fetch(ctx)
		if err != nil {
			return err
		}
		u := diff(prev, items, at)
		u.Next, u.First = next, prev == nil
		if err := sink.Update(u); err != nil {
			return &sinkError{err}
		}
		prev = make(map[string]Item, len(items))
		for _, it := range items {
			prev[it.Key] = it
		}
		return nil
	}, sink.Error)
}

// sinkError is a failure of the sink: never retried.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// Every calls poll at the start of every interval (at is now, next the start
// of the following one), never two at once, until ctx ends (nil), poll
// fails with an error o.Retry refuses (returned; ErrStopped ends it without
// error) or o.Stop says so. A failure o.Retry accepts goes to report, and
// the next poll happens as planned.
func Every(ctx context.Context, o Options, poll func(ctx context.Context, at, next time.Time) error, report func(err error, at, next time.Time)) error {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = Sleep
	}
	for polls := 1; ; polls++ {
		start := o.Now()
		next := start.Add(o.Interval)
		err := poll(ctx, start, next)
		if ctx.Err() != nil {
			return nil
		}
		var se *sinkError
		switch {
		case errors.Is(err, ErrStopped):
			return nil
		case errors.As(err, &se):
			return se.err
		case err != nil && (o.Retry == nil || !o.Retry(err)):
			return err
		case err != nil:
			report(err, start, next)
		}
		if o.Stop != nil && o.Stop(polls) {
			return nil
		}
		if err := o.Sleep(ctx, max(next.Sub(o.Now()), 0)); err != nil {
			return nil
		}
	}
}

// diff compares the items of a poll with the previous ones. Added and
// changed items come in the order of items, removed ones after, by key.
func diff(prev map[string]Item, items []Item, at time.Time) Update {
	u := Update{At: at, Items: items, Marks: map[string]string{}}
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		seen[it.Key] = true
		old, ok := prev[it.Key]
		switch {
		case !ok:
			u.Events = append(u.Events, Event{Kind: Added, At: at, Item: it})
			u.Marks[it.Key] = Added
		case !sameJSON(old.Raw, it.Raw):
			u.Events = append(u.Events, Event{Kind: Changed, At: at, Item: it})
			u.Marks[it.Key] = Changed
		}
	}
	var gone []string
	for k := range prev {
		if !seen[k] {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		u.Events = append(u.Events, Event{Kind: Removed, At: at, Item: prev[k]})
	}
	return u
}

// sameJSON compares two JSON values whatever their key order and spacing.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ca, _ := json.Marshal(va) // maps marshal with sorted keys
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}

// Items turns a JSON array of objects into items keyed by their "id" (or,
// without one, their "name", else their position).
func Items(raw []byte) ([]Item, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("watch: expected a JSON array: %w", err)
	}
	out := make([]Item, 0, len(list))
	for i, r := range list {
		out = append(out, Item{Key: KeyOf(r, i), Raw: r})
	}
	return out, nil
}

// ItemsOf is Items of v encoded as JSON (a list of objects).
func ItemsOf(v any) ([]Item, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Items(raw)
}

// KeyOf is the key of one object: its id, else its name, else "#i".
func KeyOf(raw json.RawMessage, i int) string {
	var v struct {
		ID   json.RawMessage `json:"id"`
		Name string          `json:"name"`
	}
	if json.Unmarshal(raw, &v) == nil {
		if id := strings.Trim(string(bytes.TrimSpace(v.ID)), `"`); id != "" && id != "null" {
			return id
		}
		if v.Name != "" {
			return "name:" + v.Name
		}
	}
	return fmt.Sprintf("#%d", i)
}

// ParseInterval reads the value of --watch: a Go duration ("10s", "1m") or a
// number of seconds ("10"); "" is the default. It must be between
// MinInterval and MaxInterval.
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultInterval, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, serr := strconv.ParseFloat(s, 64)
		if serr != nil || math.IsNaN(secs) || secs > MaxInterval.Seconds() || secs < 0 {
			return 0, fmt.Errorf("invalid --watch interval %q: want a duration such as 5s or 1m", s)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < MinInterval || d > MaxInterval {
		return 0, fmt.Errorf("invalid --watch interval %s: want between %s and %s", d, MinInterval, MaxInterval)
	}
	return d, nil
}

// ErrStopped can be returned by a Sink to end Run without error.
var ErrStopped = errors.New("watch stopped")

// Sleep waits for d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
