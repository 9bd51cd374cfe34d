package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// Every mistake in `itcare api`'s request is an *InputError found before
// anything is sent: no server is needed to check them.
func TestBuildCallUsageErrors(t *testing.T) {
	base, _ := url.Parse("https://api.example/itcare")
	for name, o := range map[string]CallOptions{
		"empty path":          {Path: ""},
		"dot-dot":             {Path: "../../../x"},
		"dot-dot inside":      {Path: "/compute/../../x"},
		"encoded dot-dot":     {Path: "/%2e%2e/%2E%2E/x"},
		"encoded dot":         {Path: "/%2e/x"},
		"network path":        {Path: "//evil.com/x"},
		"foreign URL":         {Path: "http://other-host/x"},
		"same host, outside":  {Path: "https://api.example/other/x"},
		"full URL dot-dot":    {Path: "https://api.example/itcare/../x"},
		"CR in header":        {Path: "/x", Headers: []string{"X-A: b\r\nX-Evil: 1"}},
		"LF in header":        {Path: "/x", Headers: []string{"X-A: b\nc"}},
		"bad header name":     {Path: "/x", Headers: []string{"X A: b"}},
		"bad method":          {Path: "/x", Method: "GE T"},
		"malformed key":       {Path: "/x", TypedFields: []string{"a[=1"}},
		"paginate with POST":  {Path: "/x", Method: "POST", Paginate: true},
		"input not JSON":      {Path: "/x", Input: "-", Stdin: strings.NewReader("not json")},
		"input file missing":  {Path: "/x", Input: "/nonexistent/file.json"},
		"CR in path":          {Path: "/x\r\nHost: evil"},
		"paginate with input": {Path: "/x", Input: "-", Stdin: strings.NewReader("{}"), Paginate: true},
	} {
		var ie *InputError
		if _, err := BuildCall(base, o); !errors.As(err, &ie) {
			t.Errorf("%s: %v, want an *InputError", name, err)
		}
	}
}

func TestBuildCallPlacesFields(t *testing.T) {
	base, _ := url.Parse("https://api.example/itcare")
	r, err := BuildCall(base, CallOptions{Path: "https://api.example/itcare/actions?x=1", RawFields: []string{"a=b"}})
	if err != nil || r.Method != "POST" || r.Path != "/actions?x=1" {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = BuildCall(base, CallOptions{Path: "compute/instances", Method: "get", TypedFields: []string{"n=01"}})
	if err != nil || r.Method != "GET" || r.Path != "/compute/instances" || r.Query.Get("n") != "01" {
		t.Fatalf("%+v %v", r, err)
	}
}
