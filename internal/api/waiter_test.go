package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/sandbox"
)

// sandboxClient starts a sandbox and returns an authenticated client.
func sandboxClient(t *testing.T, opts sandbox.Options) (*Client, *sandbox.Server) {
	t.Helper()
	sb := sandbox.New(opts)
	if _, err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	tok := sandboxToken(t, sb)
	hc := &http.Client{Transport: bearer{tok}}
	c, err := New(Options{BaseURL: sb.APIURL(), HTTPClient: hc, UserAgent: "itcare/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c, sb
}

type bearer struct{ tok string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.tok)
	return http.DefaultTransport.RoundTrip(r)
}

func sandboxToken(t *testing.T, sb *sandbox.Server) string {
	t.Helper()
	req, _ := http.NewRequest("POST", sb.AuthURL()+"/protocol/openid-connect/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("sandbox-client", "sandbox-secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonDecode(res.Body, &v); err != nil || v.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return v.AccessToken
}

func firstActive(t *testing.T, c *Client) int64 {
	t.Helper()
	p, err := c.Family(family.Instances).List(context.Background(), url.Values{"statuses": {"ACTIVE"}}, PageOptions{Size: 1})
	if err != nil || len(p.Content) == 0 {
		t.Fatalf("list: %v", err)
	}
	return p.Content[0].Summary().ID
}

func TestWaiterBacksOffAndPollsA10sActionFewerThan12Times(t *testing.T) {
	// One clock for the sandbox (action progress) and the waiter (sleeps),
	// so a 10 s action is waited on in no real time.
	clock := sandbox.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	c, sb := sandboxClient(t, sandbox.Options{ActionDuration: 10 * time.Second, Now: clock.Now})
	acc, err := c.Family(family.Instances).Operate(context.Background(), firstActive(t, c), "stop", nil)
	if err != nil || acc.ActionID == 0 {
		t.Fatalf("stop: %+v %v", acc, err)
	}
	var slept []time.Duration
	opts := WaitOptions{sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		clock.Advance(d)
		return nil
	}}
	var changes []string
	sb.ResetRequests()
	final, err := c.Actions.Wait(context.Background(), []int64{acc.ActionID}, opts, func(u ActionUpdate) {
		changes = append(changes, u.Previous+"->"+u.Action.Status)
	})
	if err != nil {
		t.Fatal(err)
	}
	if final[0].Status != StatusSuccess {
		t.Fatalf("final %+v", final[0])
	}
	polls := len(sb.Requests())
	if polls >= 12 {
		t.Fatalf("%d polls for a 10 s action, want < 12", polls)
	}
	if slept[0] != DefaultMinInterval {
		t.Fatalf("first interval %v, want %v", slept[0], DefaultMinInterval)
	}
	for i := 1; i < len(slept); i++ {
		if slept[i] < slept[i-1] || slept[i] > DefaultMaxInterval {
			t.Fatalf("intervals do not grow to the cap: %v", slept)
		}
	}
	// The detection delay is bounded by the last interval.
	var total time.Duration
	for _, d := range slept {
		total += d
	}
	if total-10*time.Second > slept[len(slept)-1] {
		t.Fatalf("action ended at 10s, seen at %v", total)
	}
	if strings.Join(changes, ",") != "->IN_PROGRESS,IN_PROGRESS->SUCCESS" {
		t.Fatalf("changes %v", changes)
	}
	t.Logf("polls=%d intervals=%v seen after %v", polls, slept, total)
}

func TestWaiterIntervalsReachTheCap(t *testing.T) {
	o := WaitOptions{}
	o.defaults()
	next := o.backoff()
	var got []time.Duration
	for range 12 {
		got = append(got, next())
	}
	if got[0] != 500*time.Millisecond || got[len(got)-1] != 5*time.Second {
		t.Fatalf("intervals %v", got)
	}
	fixed := WaitOptions{Interval: 2 * time.Second}
	fixed.defaults()
	n := fixed.backoff()
	if n() != 2*time.Second || n() != 2*time.Second {
		t.Fatal("fixed interval not kept")
	}
}

func TestWaiterTimeoutAndCancel(t *testing.T) {
	c, _ := sandboxClient(t, sandbox.Options{ActionDuration: time.Hour})
	acc, err := c.Family(family.Instances).Operate(context.Background(), firstActive(t, c), "stop", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Actions.Wait(context.Background(), []int64{acc.ActionID}, WaitOptions{MinInterval: 10 * time.Millisecond, Timeout: 100 * time.Millisecond}, nil)
	var to *WaitTimeoutError
	if !errors.As(err, &to) || len(to.Running) != 1 || to.Running[0] != acc.ActionID {
		t.Fatalf("want timeout, got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.Actions.Wait(ctx, []int64{acc.ActionID}, WaitOptions{MinInterval: 10 * time.Millisecond}, nil)
	var intr *WaitInterruptedError
	if !errors.As(err, &intr) || !errors.Is(err, context.Canceled) {
		t.Fatalf("want interruption, got %v", err)
	}
}

func TestWaiterToleratesTransientFailuresThenGivesUp(t *testing.T) {
	c, _ := sandboxClient(t, sandbox.Options{})
	// An action id that does not exist answers 404: tolerated 3 times, then fatal.
	polls := 0
	opts := WaitOptions{MinInterval: time.Millisecond, sleep: func(ctx context.Context, d time.Duration) error { polls++; return nil }}
	_, err := c.Actions.Wait(context.Background(), []int64{999999999}, opts, nil)
	if err == nil || polls != DefaultMaxFailures {
		t.Fatalf("err %v after %d polls", err, polls)
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 404 {
		t.Fatalf("want the 404, got %v", err)
	}
}

// renameStatus rewrites IN_PROGRESS to another status in action answers, as
// a server with an undocumented status would send.
type renameStatus struct {
	base http.RoundTripper
	to   string
}

func (r renameStatus) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.base.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/actions/") {
		return res, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body = []byte(strings.ReplaceAll(string(body), `"IN_PROGRESS"`, `"`+r.to+`"`))
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	res.ContentLength = int64(len(body))
	return res, nil
}

func TestUnknownStatusIsStillRunning(t *testing.T) {
	c, _ := sandboxClient(t, sandbox.Options{ActionDuration: 100 * time.Millisecond})
	acc, err := c.Family(family.Instances).Operate(context.Background(), firstActive(t, c), "stop", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.http = &http.Client{Transport: renameStatus{base: c.http.Transport, to: "QUEUED"}}
	var logged []string
	var seen []string
	opts := WaitOptions{MinInterval: 10 * time.Millisecond, MaxInterval: 20 * time.Millisecond,
		Debugf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }}
	final, err := c.Actions.Wait(context.Background(), []int64{acc.ActionID}, opts, func(u ActionUpdate) { seen = append(seen, u.Action.Status) })
	if err != nil || final[0].Status != StatusSuccess {
		t.Fatalf("%v %+v", err, final)
	}
	if seen[0] != "QUEUED" || !strings.Contains(strings.Join(logged, "\n"), `"QUEUED"`) {
		t.Fatalf("seen %v, logged %v", seen, logged)
	}
}
