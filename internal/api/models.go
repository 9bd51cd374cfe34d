package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Models keep the object exactly as the API sent it (Raw) next to the few
// typed fields the CLI reasons about, so JSON/YAML output never loses a field
// the CLI does not model.

// Action is an asynchronous operation (/actions).
type Action struct {
	ID            int64           `json:"id"`
	Status        string          `json:"status"`
	Process       string          `json:"process,omitempty"`
	Message       string          `json:"message,omitempty"`
	Family        string          `json:"family,omitempty"`
	ResourceName  string          `json:"resourceName,omitempty"`
	ResourceType  string          `json:"resourceType,omitempty"`
	SubmittedBy   string          `json:"submittedBy,omitempty"`
	SubmittedAt   *Date           `json:"submittedAt,omitempty"`
	LastUpdatedAt *Date           `json:"lastUpdatedAt,omitempty"`
	CompletedAt   *Date           `json:"completedAt,omitempty"`
	Raw           json.RawMessage `json:"-"`
}

func (a *Action) UnmarshalJSON(b []byte) error {
	type plain Action
	return unmarshalKeep(b, (*plain)(a), &a.Raw)
}

func (a Action) MarshalJSON() ([]byte, error) {
	type plain Action
	return marshalKeep(a.Raw, plain(a))
}

// Documented action statuses. Anything else is treated as
// still running by the waiter.
const (
	StatusSuccess    = "SUCCESS"
	StatusError      = "ERROR"
	StatusInProgress = "IN_PROGRESS"
)

// Done reports whether the action reached a final status.
func (a *Action) Done() bool { return a.Status == StatusSuccess || a.Status == StatusError }

// Took is how long a finished action ran, from its submission to its
// completion by the API's dates; 0 when it has not ended or a date is
// missing or out of order.
func (a *Action) Took() time.Duration {
	if !a.Done() || a.SubmittedAt == nil || a.CompletedAt == nil || a.SubmittedAt.IsZero() || a.CompletedAt.IsZero() {
		return 0
	}
	if d := a.CompletedAt.Sub(a.SubmittedAt.Time); d > 0 {
		return d
	}
	return 0
}

func unmarshalKeep(b []byte, into any, raw *json.RawMessage) error {
	if err := json.Unmarshal(b, into); err != nil {
		return err
	}
	*raw = append((*raw)[:0], bytes.TrimSpace(b)...)
	return nil
}

func marshalKeep(raw json.RawMessage, typed any) ([]byte, error) {
	if len(raw) > 0 {
		return raw, nil
	}
	return json.Marshal(typed)
}

// Accepted is what a mutating call answered. The JSON keys of the 202
// tracking object are not documented, so every
// likely shape is read: {"id": 1}, {"actionId": 1}, {"action": {"id": 1}},
// an action object, or a Location header ending in /actions/{id}.
type Accepted struct {
	ActionID   int64           `json:"actionId,omitempty"`
	Status     string          `json:"status,omitempty"`
	Message    string          `json:"message,omitempty"`
	DryRun     bool            `json:"dryRun,omitempty"`
	StatusCode int             `json:"-"`
	Raw        json.RawMessage `json:"-"`
}

// MarshalJSON prints the server's own body when there was one.
func (a Accepted) MarshalJSON() ([]byte, error) {
	type plain Accepted
	return marshalKeep(a.Raw, plain(a))
}

// ParseAccepted reads the tracking object of a 2xx answer to a mutating call.
func ParseAccepted(resp *Response) (*Accepted, error) {
	acc := &Accepted{StatusCode: resp.StatusCode, DryRun: resp.DryRunConfirmed()}
	body := bytes.TrimSpace(resp.Body)
	if len(body) > 0 {
		acc.Raw = append(json.RawMessage(nil), body...)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			// A bare number is taken as the action id.
			if id, err2 := strconv.ParseInt(string(body), 10, 64); err2 == nil {
				acc.ActionID = id
				return acc, nil
			}
			return nil, fmt.Errorf("unexpected answer %d: %s", resp.StatusCode, Excerpt(string(body), 200))
		}
		readTracking(m, acc)
		if inner, ok := m["action"]; ok && acc.ActionID == 0 {
			var im map[string]json.RawMessage
			if json.Unmarshal(inner, &im) == nil {
				readTracking(im, acc)
			}
		}
	}
	if acc.ActionID == 0 {
		if loc := resp.Header.Get("Location"); loc != "" {
			if id, err := strconv.ParseInt(path.Base(strings.TrimSuffix(loc, "/")), 10, 64); err == nil && strings.Contains(loc, "/actions/") {
				acc.ActionID = id
			}
		}
	}
	if acc.ActionID < 0 {
		return nil, &MismatchError{Msg: fmt.Sprintf("the %d answer names action %d, which is not a valid action id", resp.StatusCode, acc.ActionID)}
	}
	return acc, nil
}

func readTracking(m map[string]json.RawMessage, acc *Accepted) {
	for _, k := range []string{"actionId", "id", "requestId"} {
		if v, ok := m[k]; ok && acc.ActionID == 0 {
			acc.ActionID = jsonInt(v)
		}
	}
	if v, ok := m["status"]; ok && acc.Status == "" {
		_ = json.Unmarshal(v, &acc.Status)
	}
	if v, ok := m["message"]; ok && acc.Message == "" {
		_ = json.Unmarshal(v, &acc.Message)
	}
	if v, ok := m["dryRun"]; ok {
		var b bool
		if json.Unmarshal(v, &b) == nil && b {
			acc.DryRun = true
		}
	}
}

// jsonInt reads a JSON number or a numeric string.
func jsonInt(v json.RawMessage) int64 {
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	return 0
}
