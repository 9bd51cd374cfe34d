package auth

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/itcare-cli/itcare/internal/config"
)

func TestStoreCredentials(t *testing.T) {
	warn := &logSink{}
	s := &Store{Dir: filepath.Join(t.TempDir(), "a", "itcare"), Warn: warn.Logf}
	c, err := s.LoadCredentials("default")
	if c != nil || err != nil {
		t.Fatalf("nothing saved: %v %v", c, err)
	}
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "p+s/w=:d", Source: "prompt"}, false); err != nil {
		t.Fatal(err)
	}
	c, err = s.LoadCredentials("default")
	if err != nil || c == nil {
		t.Fatalf("load: %v %v", c, err)
	}
	want := Credentials{ClientID: "id", ClientSecret: "p+s/w=:d", Source: "file", Path: s.CredentialsPath("default"), Location: s.CredentialsPath("default")}
	if *c != want {
		t.Errorf("loaded %#v", *c)
	}
	if runtime.GOOS != "windows" {
		for path, mode := range map[string]os.FileMode{s.Dir: 0o700, filepath.Dir(s.Dir): 0o700, s.CredentialsPath("default"): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, path, fi.Mode().Perm(), mode)
		}
	}
	eq(t, "warnings", warn.String(), "")

	// Overwrite atomically, no temp files left.
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id2", ClientSecret: "x"}, false); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(s.Dir)
	if len(entries) != 1 {
		t.Errorf("files: %v", entries)
	}
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id"}, false); err == nil {
		t.Error("saved credentials without a secret")
	}

	// Broken file: an error that says what to do.
	if err := os.WriteFile(s.CredentialsPath("broken"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadCredentials("broken"); err == nil || !strings.Contains(err.Error(), "itcare login") {
		t.Errorf("broken file: %v", err)
	}
}

func TestStorePermissionWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	warn := &logSink{}
	s := &Store{Dir: t.TempDir(), Warn: warn.Logf}
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "secret"}, false); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.CredentialsPath("default"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if c, err := s.LoadCredentials("default"); err != nil || c == nil {
			t.Fatalf("load must not fail: %v", err)
		}
	}
	w := warn.String()
	if strings.Count(w, "other users") != 2 || !strings.Contains(w, "chmod 700") || !strings.Contains(w, "chmod 600") {
		t.Errorf("warnings (want one for the dir and one for the file):\n%s", w)
	}
	if strings.Contains(w, "secret") {
		t.Errorf("warning shows the secret:\n%s", w)
	}
}

func TestStoreTokenAndDelete(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	if tok, err := s.LoadToken("p1"); tok != nil || err != nil {
		t.Fatalf("empty: %v %v", tok, err)
	}
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	in := &CachedToken{AccessToken: "a", TokenType: "Bearer", Expiry: exp, RefreshToken: "r", RefreshExpiry: exp.Add(time.Hour),
		ClientID: "c", TokenURL: "https://x/token", AuthURL: "https://x"}
	if err := s.SaveToken("p1", in); err != nil {
		t.Fatal(err)
	}
	out, err := s.LoadToken("p1")
	if err != nil || out == nil || *out != *in {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	if _, err := s.SaveCredentials("p1", Credentials{ClientID: "c", ClientSecret: "s"}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken("p2", in); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("p1"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.TokenPath("p1"), s.CredentialsPath("p1"), s.LockPath("p1")} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there (%v)", p, err)
		}
	}
	if tok, _ := s.LoadToken("p2"); tok == nil {
		t.Error("Delete removed another profile's token")
	}
	if err := s.Delete("p1"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if err := (&Store{Dir: filepath.Join(t.TempDir(), "missing")}).Delete("x"); err != nil {
		t.Errorf("Delete in a missing dir: %v", err)
	}
}

func TestProfileNames(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	for _, p := range []string{"", "../x", "a/b", "-a", "_a", "a b", "a.b", strings.Repeat("a", 65), "é"} {
		if _, err := s.LoadCredentials(p); err == nil {
			t.Errorf("LoadCredentials(%q) accepted", p)
		}
		if err := s.SaveToken(p, &CachedToken{}); err == nil {
			t.Errorf("SaveToken(%q) accepted", p)
		}
		if err := s.Delete(p); err == nil {
			t.Errorf("Delete(%q) accepted", p)
		}
	}
	for _, p := range []string{"default", "a", "A-b_9", "9", strings.Repeat("a", 64)} {
		if err := config.ValidProfile(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}

func TestResolveEnvAndSaved(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvClientSecret, "")
	const api, realm = "https://api.example/itcare", "https://auth.example/realms/r"

	_, err := Resolve(s, "default", api, realm)
	var ae *Error
	if !errors.As(err, &ae) || err.Error() != "profile \"default\" has no login: run `itcare login`, or set ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET" {
		t.Errorf("not logged in: %v", err)
	}
	// Another profile is named, with the command that logs it in.
	if _, err = Resolve(s, "nosuch", api, realm); err == nil || err.Error() != "profile \"nosuch\" has no login: run `itcare login -p nosuch`, or set ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET" {
		t.Errorf("not logged in, -p nosuch: %v", err)
	}

	if _, err := s.SaveCredentials("default", Credentials{ClientID: "saved", ClientSecret: "saved-secret", APIURL: api, AuthURL: realm}, false); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(s, "default", api, realm)
	if err != nil || c.ClientID != "saved" || c.Source != "file" || c.Path != s.CredentialsPath("default") {
		t.Errorf("file: %v %v", c, err)
	}

	// The id alone: the saved one → the saved secret; another → exit 4
	// naming both ids and the two ways out.
	t.Setenv(EnvClientID, "saved")
	c, err = Resolve(s, "default", api, realm)
	if err != nil || c.ClientSecret != "saved-secret" {
		t.Errorf("id alone, the saved one: %v %v", c, err)
	}
	t.Setenv(EnvClientID, "env-id")
	_, err = Resolve(s, "default", api, realm)
	if !errors.As(err, &ae) {
		t.Fatalf("id alone, another one: %v", err)
	}
	for _, want := range []string{"env-id", "saved", "set " + EnvClientSecret, "unset " + EnvClientID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("id alone, another one: %q does not say %q", err, want)
		}
	}
	_, err = Resolve(&Store{Dir: t.TempDir()}, "default", api, realm)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), EnvClientSecret) {
		t.Errorf("id alone, nothing saved: %v", err)
	}

	// The secret alone goes with the saved id, and needs one.
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvClientSecret, "env-secret")
	c, err = Resolve(s, "default", api, realm)
	if err != nil || c.ClientID != "saved" || c.ClientSecret != "env-secret" || c.Source != "env" {
		t.Errorf("secret alone: %v %v", c, err)
	}
	_, err = Resolve(&Store{Dir: t.TempDir()}, "default", api, realm)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), EnvClientID) || strings.Contains(err.Error(), "env-secret") {
		t.Errorf("secret alone, nothing saved: %v", err)
	}

	t.Setenv(EnvClientID, "env-id")
	c, err = Resolve(s, "default", api, realm)
	if err != nil || *c != (Credentials{ClientID: "env-id", ClientSecret: "env-secret", Source: "env"}) {
		t.Errorf("env wins: %v %v", c, err)
	}
	c, err = Resolve(nil, "default", api, realm)
	if err != nil || c.Source != "env" {
		t.Errorf("env without a store: %v %v", c, err)
	}
}
