package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/watch"
)

// Outcome is how a change ended for one target.
type Outcome string

// Outcomes, documented in docs/results.md.
const (
	Success   Outcome = "SUCCESS"   // the action ended in SUCCESS
	Error     Outcome = "ERROR"     // the action ended in ERROR
	Timeout   Outcome = "TIMEOUT"   // --wait-timeout passed; the action goes on
	Skipped   Outcome = "SKIPPED"   // not sent: already in the target state (or the run stopped first)
	Failed    Outcome = "FAILED"    // not sent (status does not allow it) or refused by the API
	Submitted Outcome = "SUBMITTED" // sent and accepted, not waited on (--no-wait, interrupted)
	Validated Outcome = "VALIDATED" // --dry-run: the API accepted the request, nothing changed
)

// Result is what happened to one target: the same shape for one target or
// many (docs/results.md).
type Result struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Operation string      `json:"operation"`
	Outcome   Outcome     `json:"outcome"`
	ActionID  *int64      `json:"actionId"`
	Message   string      `json:"message"`
	Action    *api.Action `json:"action"`
	// Err is the error behind ERROR, TIMEOUT, FAILED or an interrupted
	// wait, for the exit code.
	Err error `json:"-"`
}

// Rule is what an operation requires of a resource and what it leads to.
type Rule struct {
	Requires []string // statuses that allow it; empty: any
	Leads    string   // status after success; "" when none applies (delete)
}

// First is the first status the rule requires, "" when any.
func (r Rule) First() string {
	if len(r.Requires) == 0 {
		return ""
	}
	return r.Requires[0]
}

// Check sorts out a target before anything is sent: SKIPPED when it is
// already in the status the operation leads to, FAILED when its status
// does not allow the operation, "" when it should be sent (also when its
// status is unknown).
func (r Rule) Check(op string, status string) (Outcome, string) {
	if status == "" {
		return "", ""
	}
	if len(r.Requires) == 0 || slices.Contains(r.Requires, status) {
		return "", ""
	}
	if r.Leads != "" && status == r.Leads {
		return Skipped, "already " + status
	}
	return Failed, fmt.Sprintf("is %s; %s requires %s", status, op, strings.Join(r.Requires, " or "))
}

// Op is one change to run on every target.
type Op struct {
	Name string // "stop", for results and messages
	Rule Rule
	// Send sends the change for one target.
	Send func(ctx context.Context, t Target) (*api.Accepted, error)
}

// Options tune Run.
type Options struct {
	MaxParallel int  // changes submitted and not ended, and requests in flight; default 10
	NoWait      bool // submit and return
	DryRun      bool // the client sends ITCare-DryRun: true
	FailFast    bool // after the first failure submit nothing new
	Wait        api.WaitOptions
	// RateLimitRetries is how many times a change refused with 429 is sent
	// again after its Retry-After (a 429 is answered before the change is
	// looked at). Default 3.
	RateLimitRetries int
	// Stops, when set, says whether an error ends the whole run (nothing
	// more is sent): an authentication failure would fail every target.
	Stops func(error) bool
	// OnState, when set, is called (one call at a time) whenever a target
	// changes state.
	OnState func(i int, s State)
}

// DefaultMaxParallel is the default of --max-parallel.
const DefaultMaxParallel = 10

// State is what the display shows of one target while the run goes on.
type State struct {
	Target   Target
	Phase    string // QUEUED, SENDING, RETRY (rate limited), IN_PROGRESS, or the final outcome
	ActionID int64
	Message  string
	Started  time.Time // when it was sent (zero before)
	Done     bool
}

// Plan sorts targets into the ones to send and the ones settled before
// sending (SKIPPED or FAILED, with the reason).
func Plan(op string, rule Rule, targets []Target) (send []Target, settled []Result) {
	for _, t := range targets {
		if out, why := rule.Check(op, t.Status); out != "" {
			r := Result{ID: t.ID, Name: t.Name, Operation: op, Outcome: out, Message: why}
			if out == Failed {
				r.Err = errors.New(t.Label() + " " + why)
			}
			settled = append(settled, r)
			continue
		}
		send = append(send, t)
	}
	return send, settled
}

// Run sends op for every target, at most MaxParallel at a time, and waits
// for each action unless NoWait or DryRun. It returns one Result per
// target, in the order of targets. When ctx is cancelled nothing new is
// sent, changes already on the wire are still read (so their action ids are
// known), and waits stop.
func Run(ctx context.Context, c *api.Client, op Op, targets []Target, o Options) []Result {
	if o.MaxParallel < 1 {
		o.MaxParallel = DefaultMaxParallel
	}
	if o.RateLimitRetries == 0 {
		o.RateLimitRetries = 3
	}
	results := make([]Result, len(targets))
	hold := &holdGate{}
	est := &durations{}
	var mu sync.Mutex // serialises OnState and guards stop
	stopped := ""     // why nothing new is sent
	emit := func(i int, s State) {
		if o.OnState != nil {
			mu.Lock()
			o.OnState(i, s)
			mu.Unlock()
		}
	}
	for i, t := range targets {
		emit(i, State{Target: t, Phase: "QUEUED"})
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range targets {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < min(o.MaxParallel, len(targets)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				mu.Lock()
				why := stopped
				mu.Unlock()
				t := targets[i]
				if why == "" && ctx.Err() != nil {
					results[i] = notSent(op, t, ctx.Err())
					emit(i, State{Target: t, Phase: string(Skipped), Message: results[i].Message, Done: true})
					continue
				}
				if why != "" {
					results[i] = Result{ID: t.ID, Name: t.Name, Operation: op.Name, Outcome: Skipped, Message: why}
					emit(i, State{Target: t, Phase: string(Skipped), Message: why, Done: true})
					continue
				}
				r := runOne(ctx, c, op, t, o, hold, est, func(s State) { emit(i, s) })
				results[i] = r
				why = ""
				switch {
				case r.Err != nil && o.Stops != nil && o.Stops(r.Err):
					why = fmt.Sprintf("not sent: %s failed: %s", t.Label(), r.Message)
				case o.FailFast && (r.Outcome == Error || r.Outcome == Failed || r.Outcome == Timeout):
					why = fmt.Sprintf("not sent: --fail-fast after %s %s", t.Label(), strings.ToLower(string(r.Outcome)))
				}
				if why != "" {
					mu.Lock()
					if stopped == "" {
						stopped = why
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	// Targets the feeder never handed out (interrupted).
	for i, t := range targets {
		if results[i].Outcome == "" {
			results[i] = notSent(op, t, context.Canceled)
			emit(i, State{Target: t, Phase: string(Skipped), Message: results[i].Message, Done: true})
		}
	}
	return results
}

// runOne sends the change for t and follows it to its outcome.
func runOne(ctx context.Context, c *api.Client, op Op, t Target, o Options, hold *holdGate, est *durations, emit func(State)) Result {
	r := Result{ID: t.ID, Name: t.Name, Operation: op.Name}
	st := State{Target: t, Phase: "SENDING", Started: time.Now()}
	emit(st)
	finish := func(out Outcome, msg string, err error) Result {
		r.Outcome, r.Message, r.Err = out, msg, err
		st.Phase, st.Message, st.Done = string(out), msg, true
		emit(st)
		return r
	}
	// A change on the wire is read to its end even after Ctrl-C: cutting
	// it would leave it maybe applied with no action id to follow.
	sendCtx := context.WithoutCancel(ctx)
	var acc *api.Accepted
	var err error
	for attempt := 0; ; attempt++ {
		if hold.wait(ctx) != nil {
			return finish(Skipped, "not sent: interrupted", ctx.Err())
		}
		acc, err = op.Send(sendCtx, t)
		var he *api.HTTPError
		if attempt >= o.RateLimitRetries || !errors.As(err, &he) || he.StatusCode != http.StatusTooManyRequests || ctx.Err() != nil {
			break
		}
		wait := he.RetryAfter
		if wait <= 0 {
			wait = time.Second << attempt
		}
		wait = min(wait, time.Minute)
		hold.until(time.Now().Add(wait))
		st.Phase, st.Message = "RETRY", fmt.Sprintf("rate limited (429); sending again in %s", wait.Round(time.Millisecond))
		emit(st)
		st.Phase, st.Message = "SENDING", ""
	}
	switch {
	case o.DryRun && errors.Is(err, api.ErrDryRunUnconfirmed):
		return finish(Failed, err.Error(), err)
	case err != nil && ctx.Err() != nil && isRateLimited(err):
		return finish(Skipped, "not sent: interrupted", ctx.Err())
	case err != nil:
		return finish(Failed, err.Error(), err)
	case o.DryRun:
		msg := "validated by the server; nothing was changed"
		if acc.Message != "" {
			msg = acc.Message
		}
		return finish(Validated, msg, nil)
	case acc.ActionID == 0:
		return finish(Submitted, fmt.Sprintf("accepted (HTTP %d) without an action id to follow", acc.StatusCode), nil)
	}
	id := acc.ActionID
	r.ActionID = &id
	st.ActionID = id
	if o.NoWait {
		return finish(Submitted, "action started", nil)
	}
	st.Phase = api.StatusInProgress
	emit(st)
	// The actions of one change on many resources tend to take the same
	// time: once one has ended, the first poll of the next ones is timed
	// for when they should end, which frees their slot sooner and saves
	// the polls in between.
	if d, ok := est.shortest(); ok {
		first := o.Wait.Interval
		if first <= 0 {
			first = max(o.Wait.MinInterval, 0)
			if first == 0 {
				first = api.DefaultMinInterval
			}
		}
		if pre := d + pollMargin - first - time.Since(st.Started); pre > 0 {
			if watch.Sleep(ctx, pre) != nil {
				return finish(Submitted, "interrupted while waiting; the action goes on", &api.WaitInterruptedError{Running: []int64{id}, Err: ctx.Err()})
			}
		}
	}
	final, err := c.Actions.Wait(ctx, []int64{id}, o.Wait, func(u api.ActionUpdate) {
		if u.Action.Status != api.StatusSuccess && u.Action.Status != api.StatusError {
			st.Phase, st.Message = u.Action.Status, u.Action.Process
			emit(st)
		}
	})
	if len(final) == 1 && final[0] != nil {
		r.Action = final[0]
		est.observe(r.Action)
	}
	var (
		failed  *api.ActionFailedError
		timeout *api.WaitTimeoutError
		intr    *api.WaitInterruptedError
	)
	msg := ""
	if r.Action != nil {
		msg = r.Action.Message
	}
	switch {
	case err == nil:
		return finish(Success, msg, nil)
	case errors.As(err, &failed):
		return finish(Error, msg, err)
	case errors.As(err, &timeout):
		return finish(Timeout, "still in progress after "+timeout.Timeout, err)
	case errors.As(err, &intr):
		return finish(Submitted, "interrupted while waiting; the action goes on", err)
	default:
		return finish(Submitted, "waiting failed: "+err.Error(), err)
	}
}

// pollMargin is how long after an action's expected end it is polled.
const pollMargin = 50 * time.Millisecond

// durations keeps the shortest run time of the actions that ended, as the
// server reports it (completedAt − submittedAt).
type durations struct {
	mu  sync.Mutex
	min time.Duration
}

func (d *durations) observe(a *api.Action) {
	if !a.Done() || a.SubmittedAt == nil || a.CompletedAt == nil {
		return
	}
	run := a.CompletedAt.Sub(a.SubmittedAt.Time)
	if run <= 0 || run > time.Hour {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.min == 0 || run < d.min {
		d.min = run
	}
}

func (d *durations) shortest() (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.min, d.min > 0
}

// holdGate holds every worker's next change after a 429, until its
// Retry-After has passed: the server asked the client, not one request,
// to slow down.
type holdGate struct {
	mu sync.Mutex
	t  time.Time
}

func (h *holdGate) until(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.t) {
		h.t = t
	}
}

func (h *holdGate) wait(ctx context.Context) error {
	h.mu.Lock()
	d := time.Until(h.t)
	h.mu.Unlock()
	if d <= 0 {
		return nil
	}
	return watch.Sleep(ctx, d)
}

// notSent is the result of a target the run did not reach (interrupted).
func notSent(op Op, t Target, err error) Result {
	return Result{ID: t.ID, Name: t.Name, Operation: op.Name, Outcome: Skipped, Message: "not sent: interrupted", Err: err}
}

func isRateLimited(err error) bool {
	var he *api.HTTPError
	return errors.As(err, &he) && he.StatusCode == http.StatusTooManyRequests
}
