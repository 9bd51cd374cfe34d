package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Health is the answer of the API's liveness endpoint.
type Health struct {
	APIURL      string  `json:"apiUrl"`
	Endpoint    string  `json:"endpoint"`
	Up          bool    `json:"up"`
	State       string  `json:"state"`
	HTTPStatus  int     `json:"httpStatus,omitempty"`
	RoundTripMS float64 `json:"roundTripMs"`
	Reason      string  `json:"reason,omitempty"`
}

// CheckHealth calls GET /health and, when that is 404, the legacy
// GET /api/status. It sends no credentials. The returned
// Health is filled in even when err is not nil.
func (c *Client) CheckHealth(ctx context.Context) (*Health, error) {
	h := &Health{APIURL: c.base.String()}
	var err error
	for _, p := range []string{"/health", "/api/status"} {
		h.Endpoint = p
		start := time.Now()
		var resp *Response
		resp, err = c.Do(ctx, &Request{Method: http.MethodGet, Path: p, Subject: "health endpoint " + p})
		h.RoundTripMS = float64(time.Since(start).Microseconds()) / 1000
		if IsNotFound(err) && p == "/health" {
			continue
		}
		if resp != nil {
			h.HTTPStatus = resp.StatusCode
			h.State = healthState(resp.Body)
		}
		break
	}
	if err != nil {
		h.Up, h.Reason = false, err.Error()
		if h.State == "" {
			h.State = "DOWN"
		}
		return h, err
	}
	h.Up = h.State == "" || strings.EqualFold(h.State, "UP") || strings.EqualFold(h.State, "OK")
	if h.State == "" {
		h.State = "UP"
	}
	if !h.Up {
		h.Reason = "the API reports state " + h.State
		return h, errors.New(h.Reason)
	}
	return h, nil
}

// healthState reads {"status": "UP"} (Spring Boot actuator style) or a bare word.
func healthState(body []byte) string {
	var v struct {
		Status string `json:"status"`
		State  string `json:"state"`
	}
	if json.Unmarshal(body, &v) == nil {
		return strings.ToUpper(firstNonEmpty(v.Status, v.State))
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 0 && len(s) < 20 && !strings.ContainsAny(s, "<{") {
		return strings.ToUpper(s)
	}
	return ""
}
