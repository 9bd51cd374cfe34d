package api

import (
	"strings"
	"testing"
)

func TestHTTPErrorMessages(t *testing.T) {
	cases := []struct {
		status  int
		subject string
		body    string
		want    string
	}{
		{404, "instance 42", "", "404 Not Found: no such instance 42"},
		{404, "instance 42", "   \n", "404 Not Found: no such instance 42"},
		{400, "", `{"status":"BAD_REQUEST","errorCode":"INVALID_FIELD_VALUE","errorDesc":"name","errorMessage":"name is invalid"}`,
			"400 Bad Request: name is invalid (INVALID_FIELD_VALUE: name)"},
		{400, "", `{"errorCode":"INVALID_FIELD_VALUE","errorDesc":"name"}`, "400 Bad Request: INVALID_FIELD_VALUE: name"},
		{409, "instance 7", "", "409 Conflict: instance 7 conflicts with the resource's current state"},
		{500, "", `{"timestamp":"x","status":500,"error":"Internal Server Error","message":"boom"}`, "500 Internal Server Error: boom"},
		{502, "", "<html><body><h1>502 Bad Gateway</h1></body></html>", "502 Bad Gateway: GET /x answered with an unexpected body: <html><body><h1>502 Bad Gateway</h1></body></html>"},
		{401, "", "", "401 Unauthorized: the API did not accept the access token for GET /x"},
	}
	for _, c := range cases {
		e := newHTTPError(c.status, "GET", "/x", c.subject, []byte(c.body))
		if got := e.Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("status %d body %q:\n got %q\nwant %q", c.status, c.body, got, c.want)
		}
	}
}

func TestExcerptBounds(t *testing.T) {
	long := strings.Repeat("é", 500)
	if got := Excerpt(long, 10); len([]rune(got)) != 11 {
		t.Fatalf("excerpt %q", got)
	}
	if got := Excerpt("a\n\n  b\tc", 10); got != "a b c" {
		t.Fatalf("excerpt %q", got)
	}
	if got := Excerpt(string([]byte{0xff, 'a'}), 10); got != "?a" {
		t.Fatalf("excerpt %q", got)
	}
}

func FuzzErrorBody(f *testing.F) {
	f.Add(404, []byte(""))
	f.Add(400, []byte(`{"status":"BAD_REQUEST","errorCode":"X","errorDesc":"y","errorMessage":"z"}`))
	f.Add(502, []byte("<html>bad gateway</html>"))
	f.Add(500, []byte(`{"errorMessage": 12}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newHTTPError(status, "GET", "/p", "thing 1", body)
		msg := e.Error()
		if msg == "" {
			t.Fatal("empty message")
		}
		if len(msg) > 2000 && len(body) < len(msg) {
			t.Fatalf("message longer than the body: %d", len(msg))
		}
	})
}

func TestParseAcceptedShapes(t *testing.T) {
	for body, want := range map[string]int64{
		`{"id": 12, "status": "IN_PROGRESS"}`:             12,
		`{"actionId": "13", "message": "ok"}`:             13,
		`{"action": {"id": 14, "status": "IN_PROGRESS"}}`: 14,
		`{"requestId": 15}`:                               15,
		`16`:                                              16,
		``:                                                0,
	} {
		acc, err := ParseAccepted(&Response{StatusCode: 202, Header: map[string][]string{}, Body: []byte(body)})
		if err != nil || acc.ActionID != want {
			t.Errorf("%q: got %+v, %v; want id %d", body, acc, err, want)
		}
	}
	acc, err := ParseAccepted(&Response{StatusCode: 202, Header: map[string][]string{"Location": {"https://x/itcare/actions/77"}}})
	if err != nil || acc.ActionID != 77 {
		t.Errorf("Location: %+v %v", acc, err)
	}
	if _, err := ParseAccepted(&Response{StatusCode: 202, Body: []byte("<html>")}); err == nil {
		t.Error("accepted an HTML body")
	}
}
