package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// warningRE is every warning the token cache reader may give about a bad
// file: they name the problem, never quote the file (it holds tokens).
var warningRE = regexp.MustCompile(`^ignoring the (corrupt token cache PATH \((invalid JSON at byte [0-9]+|unexpected JSON type for "[A-Za-z_.]*"|invalid JSON)\)|incomplete token cache PATH); it will be replaced$`)

// FuzzTokenCache feeds arbitrary bytes to the token cache reader: it never
// panics or fails, returns a usable token or none, and its warnings never
// repeat the file's content.
func FuzzTokenCache(f *testing.F) {
	good := `{"access_token":"a","token_type":"Bearer","expiry":"2030-01-01T00:00:00Z","refresh_token":"r",` +
		`"client_id":"c","token_url":"https://a.example/t","auth_url":"https://a.example"}`
	for _, seed := range []string{good, good[:len(good)/2], "", "null", "[]", "{}", `{"access_token":42}`,
		`{"expiry":"yesterday"}`, "\x00\xff", `{"access_token":"SECRETSECRET","expiry":1}`} {
		f.Add([]byte(seed))
	}
	dir := filepath.Join(f.TempDir(), "itcare")
	if err := os.Mkdir(dir, 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var warnings []string
		s := &Store{Dir: dir, Warn: func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }}
		path := s.TokenPath("default")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := s.LoadToken("default")
		if err != nil {
			t.Fatalf("LoadToken: %v", err)
		}
		if tok != nil {
			if tok.AccessToken == "" || tok.ClientID == "" || tok.TokenURL == "" || tok.Expiry.IsZero() {
				t.Fatalf("an incomplete token was returned: %v", tok)
			}
			if len(warnings) != 0 {
				t.Fatalf("warnings for a usable cache: %q", warnings)
			}
			// What was read can be written back and read again identically.
			if err := s.SaveToken("default", tok); err != nil {
				t.Fatal(err)
			}
			again, err := s.LoadToken("default")
			if err != nil || again == nil || again.AccessToken != tok.AccessToken || !again.Expiry.Equal(tok.Expiry) {
				t.Fatalf("round trip: %v %v", again, err)
			}
			// Printing it never shows the tokens.
			for _, out := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v %#v %s %q", tok, tok, *tok, *tok)} {
				if strings.Contains(out, tok.AccessToken) && len(tok.AccessToken) > 8 {
					t.Fatalf("the token is printed: %s", out)
				}
			}
			return
		}
		if len(data) > 0 && len(warnings) == 0 {
			t.Fatalf("a bad cache was ignored silently: %q", data)
		}
		for _, w := range warnings {
			if !warningRE.MatchString(strings.ReplaceAll(w, path, "PATH")) {
				t.Fatalf("unexpected warning %q", w)
			}
		}
	})
}

// TestTokenCacheExpiryInThePast: a parsable but expired cache is returned
// as it is (the Manager renews it), without a warning.
func TestTokenCacheExpiryInThePast(t *testing.T) {
	var warnings []string
	s := &Store{Dir: filepath.Join(t.TempDir(), "itcare"), Warn: func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }}
	old := &CachedToken{AccessToken: "a", TokenType: "Bearer", Expiry: time.Now().Add(-time.Hour), ClientID: "c", TokenURL: "https://a.example/t"}
	if err := s.SaveToken("default", old); err != nil {
		t.Fatal(err)
	}
	tok, err := s.LoadToken("default")
	if err != nil || tok == nil || !tok.Expiry.Equal(old.Expiry.Round(0)) || len(warnings) != 0 {
		t.Fatalf("%v %v %q", tok, err, warnings)
	}
	if fi, err := os.Stat(filepath.Join(s.Dir, "default.token.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
}
