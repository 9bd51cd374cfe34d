package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/watch"
)

// ActionsService reaches /actions.
type ActionsService struct{ c *Client }

// ActionFilter holds the documented filters of GET /actions.
type ActionFilter struct {
	ResourceName string
	ResourceID   string
	ServiceID    string
	RequestID    string
	Statuses     []string
}

// Query maps the filter onto the documented query parameter names.
func (f ActionFilter) Query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("resourceName", f.ResourceName)
	set("resourceId", f.ResourceID)
	set("serviceId", f.ServiceID)
	set("requestId", f.RequestID)
	for _, s := range f.Statuses {
		if s = strings.TrimSpace(s); s != "" {
			q.Add("statuses", strings.ToUpper(s))
		}
	}
	return q
}

// ActionStatuses is the closed set of action statuses the documentation fixes.
var ActionStatuses = []string{StatusInProgress, StatusSuccess, StatusError}

// Validate rejects malformed numeric filters and unknown statuses before any
// request is sent.
func (f ActionFilter) Validate() error {
	for _, s := range f.Statuses {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" && !slices.Contains(ActionStatuses, s) {
			return fmt.Errorf("invalid status %q: want one of %s", s, strings.Join(ActionStatuses, ", "))
		}
	}
	for name, v := range map[string]string{"resource id": f.ResourceID, "service id": f.ServiceID, "request id": f.RequestID} {
		if v == "" {
			continue
		}
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("invalid %s %q: want a number", name, v)
		}
	}
	return nil
}

// List returns the actions matching f (a plain array, not paged).
func (s *ActionsService) List(ctx context.Context, f ActionFilter) ([]Action, error) {
	var out []Action
	if _, err := s.c.Get(ctx, "/actions", f.Query(), "", &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Action{}
	}
	return out, nil
}

// Get returns one action.
func (s *ActionsService) Get(ctx context.Context, id int64) (*Action, error) {
	var a Action
	if _, err := s.c.Get(ctx, fmt.Sprintf("/actions/%d", id), nil, fmt.Sprintf("action %d", id), &a); err != nil {
		return nil, err
	}
	switch {
	case a.ID == 0:
		a.ID = id
	case a.ID != id:
		return nil, &MismatchError{Msg: fmt.Sprintf("asked for action %d, the server answered with action %d", id, a.ID)}
	}
	return &a, nil
}

// WaitOptions tune the waiter. Zero values take the defaults.
type WaitOptions struct {
	Timeout     time.Duration // overall; 0 = no limit besides ctx
	Interval    time.Duration // fixed interval; 0 = back-off from MinInterval to MaxInterval
	MinInterval time.Duration // default 500ms
	MaxInterval time.Duration // default 5s
	Factor      float64       // default 1.5
	MaxFailures int           // consecutive failed polls tolerated per action; default 3
	Debugf      func(format string, args ...any)
	sleep       func(ctx context.Context, d time.Duration) error // tests
}

// Default waiter settings: an action that ends within a second is seen at
// once, a 10 s action takes about 7 polls, a long one is polled every 5 s.
const (
	DefaultMinInterval = 500 * time.Millisecond
	DefaultMaxInterval = 5 * time.Second
	DefaultFactor      = 1.5
	DefaultMaxFailures = 3
)

func (o *WaitOptions) defaults() {
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	if o.MaxInterval < o.MinInterval {
		o.MaxInterval = o.MinInterval
	}
	if o.Factor < 1 {
		o.Factor = DefaultFactor
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = DefaultMaxFailures
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	if o.sleep == nil {
		o.sleep = watch.Sleep
	}
}

// backoff returns a function giving successive poll intervals: fixed when
// Interval is set, else growing by Factor from MinInterval to MaxInterval.
func (o *WaitOptions) backoff() func() time.Duration {
	d := o.MinInterval
	return func() time.Duration {
		if o.Interval > 0 {
			return o.Interval
		}
		cur := d
		d = min(time.Duration(float64(d)*o.Factor), o.MaxInterval)
		return cur
	}
}

// ActionUpdate is one observed status change.
type ActionUpdate struct {
	Action   *Action
	Previous string // "" on the first observation
}

// WaitInterruptedError is returned when ctx was cancelled during a wait.
type WaitInterruptedError struct {
	Running []int64
	Err     error
}

func (e *WaitInterruptedError) Error() string {
	return fmt.Sprintf("interrupted while waiting for action(s) %s", joinIDs(e.Running))
}

func (e *WaitInterruptedError) Unwrap() error { return e.Err }

// Wait polls every action in ids until each is SUCCESS or ERROR. onChange
// (may be nil) is called, from one goroutine at a time, for every status
// change. It returns the final actions in the order of ids and:
// nil when all succeeded, *ActionFailedError when any ended in ERROR,
// *WaitTimeoutError when opts.Timeout passed, *WaitInterruptedError when
// ctx was cancelled, or the poll error after MaxFailures consecutive failures.
func (s *ActionsService) Wait(ctx context.Context, ids []int64, opts WaitOptions, onChange func(ActionUpdate)) ([]*Action, error) {
	opts.defaults()
	if len(ids) == 0 {
		return nil, nil
	}
	waitCtx := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	final := make([]*Action, len(ids))
	last := make([]string, len(ids))
	failures := make([]int, len(ids))
	next := opts.backoff()
	var mu sync.Mutex

	for {
		if err := opts.sleep(waitCtx, next()); err != nil {
			return final, s.waitEnded(ctx, ids, final, opts)
		}
		var wg sync.WaitGroup
		fatal := map[int64]error{}                     // actions given up on in this round
		sem := make(chan struct{}, DefaultConcurrency) // bounded polls per round
		for i, id := range ids {
			if final[i] != nil && final[i].Done() {
				continue
			}
			wg.Add(1)
			go func(i int, id int64) {
				defer wg.Done()
				sem <- struct{}{}
				a, err := s.Get(waitCtx, id)
				<-sem
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if waitCtx.Err() != nil {
						return
					}
					failures[i]++
					opts.Debugf("poll of action %d failed (%d/%d): %v", id, failures[i], opts.MaxFailures, err)
					if !transient(err) || failures[i] >= opts.MaxFailures {
						fatal[id] = err
					}
					return
				}
				failures[i] = 0
				final[i] = a
				if a.Status != StatusSuccess && a.Status != StatusError && a.Status != StatusInProgress {
					opts.Debugf("action %d has status %q, not one of SUCCESS, ERROR, IN_PROGRESS: treating it as still running", id, a.Status)
				}
				if a.Status != last[i] {
					if onChange != nil {
						onChange(ActionUpdate{Action: a, Previous: last[i]})
					}
					last[i] = a.Status
				}
			}(i, id)
		}
		wg.Wait()
		if len(fatal) > 0 {
			return final, pollFailure(fatal)
		}
		if waitCtx.Err() != nil {
			return final, s.waitEnded(ctx, ids, final, opts)
		}
		if allDone(final) {
			var failed []*Action
			for _, a := range final {
				if a.Status == StatusError {
					failed = append(failed, a)
				}
			}
			if len(failed) > 0 {
				return final, &ActionFailedError{Actions: failed}
			}
			return final, nil
		}
	}
}

// ActionsNotFoundError lists the actions waited on that the API does not know.
// Errs are the API's answers (404), one per id.
type ActionsNotFoundError struct {
	IDs  []int64
	Errs []error
}

func (e *ActionsNotFoundError) Unwrap() []error { return e.Errs }

func (e *ActionsNotFoundError) Error() string {
	return "no such action(s): " + joinIDs(e.IDs)
}

// HTTPStatus and ErrorCode describe the error in -o json error objects.
func (e *ActionsNotFoundError) HTTPStatus() int   { return http.StatusNotFound }
func (e *ActionsNotFoundError) ErrorCode() string { return "" }

// pollFailure reports every action given up on in one round, in id order,
// the unknown ones together in one *ActionsNotFoundError.
func pollFailure(failed map[int64]error) error {
	ids := make([]int64, 0, len(failed))
	for id := range failed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	notFound := &ActionsNotFoundError{}
	var errs []error
	for _, id := range ids {
		if IsNotFound(failed[id]) {
			notFound.IDs = append(notFound.IDs, id)
			notFound.Errs = append(notFound.Errs, failed[id])
			continue
		}
		errs = append(errs, fmt.Errorf("waiting for action %d: %w", id, failed[id]))
	}
	if len(notFound.IDs) > 0 {
		errs = append([]error{notFound}, errs...)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

func (s *ActionsService) waitEnded(ctx context.Context, ids []int64, final []*Action, opts WaitOptions) error {
	var running []int64
	for i, id := range ids {
		if final[i] == nil || !final[i].Done() {
			running = append(running, id)
		}
	}
	if err := ctx.Err(); err != nil {
		return &WaitInterruptedError{Running: running, Err: err}
	}
	return &WaitTimeoutError{Running: running, Timeout: opts.Timeout.String()}
}

func allDone(as []*Action) bool {
	for _, a := range as {
		if a == nil || !a.Done() {
			return false
		}
	}
	return true
}

// transient reports whether a failed poll of an action is worth trying
// again: what Retryable says, and a 404 (a new action may not be visible
// yet).
func transient(err error) bool {
	return Retryable(err) || IsNotFound(err)
}

// Retryable reports whether a failed read may succeed if tried again later:
// the API was unreachable, overloaded or failing (429, 500, 502, 503, 504),
// the connection broke, or the answer was garbled. Authentication refusals
// and other client errors are not.
func Retryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		switch he.StatusCode {
		case http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return true
	}
	var te *TransportError
	return errors.As(err, &te)
}

// MismatchError is an answer about something else than what was asked
// (another action than the one polled, an impossible id): the server cannot
// be trusted on it, and it is never retried.
type MismatchError struct{ Msg string }

func (e *MismatchError) Error() string { return e.Msg }
