package origin

import (
	"net/url"
	"testing"
)

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"https://api.example/itcare", "https://API.example:443/x", true},
		{"https://api.example.", "https://api.example", true},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8080", true},
		{"http://api.example", "https://api.example", false},
		{"https://api.example:8443", "https://api.example", false},
		{"https://api.example", "https://other.example", false},
		{"ftp://api.example", "ftp://api.example", false},
		{"/relative", "/relative", false},
	} {
		a, _ := url.Parse(c.a)
		b, _ := url.Parse(c.b)
		if got := Same(a, b); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	same := [][2]string{
		{"https://API.Example.com", "https://api.example.com:443"},
		{"https://api.example.com/itcare", "https://api.example.com"},
		{"http://127.0.0.1", "http://127.0.0.1:80"},
		{"https://[::1]:8443/x", "https://[::1]:8443"},
		{"HTTPS://api.example.com.", "https://api.example.com"},
	}
	for _, p := range same {
		a, err1 := Parse(p[0])
		b, err2 := Parse(p[1])
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("Parse(%q)=%q, Parse(%q)=%q (%v %v)", p[0], a, p[1], b, err1, err2)
		}
	}
	different := [][2]string{
		{"https://api.example.com", "http://api.example.com"},
		{"https://api.example.com", "https://api.example.com:8443"},
		{"https://api.example.com", "https://api.example.com.evil.com"},
		{"http://api.example.com:443", "https://api.example.com"},
	}
	for _, p := range different {
		a, _ := Parse(p[0])
		b, _ := Parse(p[1])
		if a == b {
			t.Errorf("%q and %q are the same host", p[0], p[1])
		}
	}
}
