package redact

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestEveryFormIsMasked(t *testing.T) {
	var r Registry
	id, secret, token := "my-client", "s3cr3t/with+sym&ls=", "eyJhbGciOiJSUzI1NiJ9.payload.sig"
	r.AddClient(id, secret)
	r.Add(token)
	for _, leak := range []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret))),
		"Bearer " + token,
	} {
		got := r.String("server said: " + leak + " (sic)")
		if strings.Contains(got, leak) || strings.Contains(got, secret) || strings.Contains(got, token) || !strings.Contains(got, Mask) {
			t.Errorf("%q → %q", leak, got)
		}
	}
	if got := r.String("short"); got != "short" {
		t.Errorf("%q", got)
	}
}

func TestShortValuesAreNotRegistered(t *testing.T) {
	var r Registry
	r.Add("abc")
	if got := r.String("abcabc"); got != "abcabc" {
		t.Fatalf("%q", got)
	}
}

func TestWriterMasksASecretSplitAcrossWrites(t *testing.T) {
	var r Registry
	r.Add("0123456789abcdef")
	var out bytes.Buffer
	w := &Writer{W: &out, Reg: &r}
	for _, chunk := range []string{"a: 01234", "56789a", "bcdef, b: 0123", "x\n"} {
		w.Write([]byte(chunk))
	}
	w.Flush()
	if got := out.String(); got != "a: "+Mask+", b: 0123x\n" {
		t.Fatalf("%q", got)
	}
}

// FuzzScrub: whatever surrounds or splits it, a registered secret never
// reaches the output, and text without secrets passes unchanged.
func FuzzScrub(f *testing.F) {
	f.Add("prefix ", " suffix", "S3cretValue!", 3)
	f.Add("", "", "eyJhbGciOiJSUzI1NiJ9.a.b", 0)
	f.Add("Basic ", "\n", "c2VjcmV0c2VjcmV0", 7)
	f.Fuzz(func(t *testing.T, before, after, secret string, cut int) {
		if len(secret) < MinLength || strings.Contains(before+after, Mask) {
			return
		}
		var r Registry
		r.Add(secret)
		text := before + secret + after
		var out bytes.Buffer
		w := &Writer{W: &out, Reg: &r}
		if cut < 0 {
			cut = -cut
		}
		cut %= len(text) + 1
		w.Write([]byte(text[:cut]))
		w.Write([]byte(text[cut:]))
		w.Flush()
		if strings.Contains(out.String(), secret) {
			t.Fatalf("secret leaked: %q", out.String())
		}
		if got := r.String(text); strings.Contains(got, secret) {
			t.Fatalf("String leaked: %q", got)
		}
		var plain Registry
		if got := plain.String(before + after); got != before+after {
			t.Fatalf("changed text without secrets: %q", got)
		}
	})
}

// FuzzWriterChunks: with a client's secrets and a token registered, text
// written in three chunks never shows any registered form, however the
// forms sit and the chunks fall; text without any part of a form passes
// unchanged.
func FuzzWriterChunks(f *testing.F) {
	f.Add("id: ", "sandbox-client", "sandbox-secret", "0123456789abcdef0123456789abcdef0123456789", 0, 5, 30, 9)
	f.Add("", "a b", "s3cr3t/with+sym&ls=", "eyJhbGciOiJSUzI1NiJ9.payload.sig", 3, 1, 2, 1)
	f.Fuzz(func(t *testing.T, text, id, secret, token string, which, at, cut1, cut2 int) {
		if len(secret) < MinLength || len(token) < MinLength || strings.Contains(text, Mask) {
			return
		}
		var r Registry
		r.AddClient(id, secret)
		r.Add(token)
		forms, _ := r.snapshot()
		plain := text
		if which != 0 { // put one form in the text
			f := forms[abs(which)%len(forms)]
			at = abs(at) % (len(text) + 1)
			text = text[:at] + f + text[at:]
		}
		a, b := abs(cut1)%(len(text)+1), abs(cut2)%(len(text)+1)
		a, b = min(a, b), max(a, b)
		var out bytes.Buffer
		w := &Writer{W: &out, Reg: &r}
		for _, chunk := range []string{text[:a], text[a:b], text[b:]} {
			w.Write([]byte(chunk))
		}
		w.Flush()
		for _, f := range forms {
			if strings.Contains(out.String(), f) {
				t.Fatalf("%q leaked: %q", f, out.String())
			}
		}
		if which == 0 && r.String(plain) == plain && out.String() != plain {
			t.Fatalf("text without secrets changed: %q → %q", plain, out.String())
		}
	})
}

func abs(n int) int {
	if n < 0 {
		n = -n
	}
	return max(n, 0) // -MinInt is MinInt
}

// The screen finds every form wherever it starts, and passes text without.
func TestScreenFindsEveryFormAtEveryOffset(t *testing.T) {
	var r Registry
	r.AddClient("my-client", "s3cr3t/with+sym&ls=")
	r.Add("eyJhbGciOiJSUzI1NiJ9.payload.sig")
	forms, s := r.snapshot()
	filler := strings.Repeat(`{"name": "pdeb12web01", "ip": "10.25.125.10"},`, 3)
	if s.mayHold([]byte(filler)) {
		t.Errorf("no form in %q", filler)
	}
	for _, f := range forms {
		for at := 0; at < 9; at++ {
			text := filler[:at] + f + filler[at:]
			if !s.mayHold([]byte(text)) {
				t.Errorf("%q at %d not seen", f, at)
			}
			if !s.mayHold([]byte(filler[:at] + f)) {
				t.Errorf("%q at the end, after %d bytes, not seen", f, at)
			}
		}
	}
}
