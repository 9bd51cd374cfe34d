package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/itcare-cli/itcare/internal/atomicfile"
	"github.com/itcare-cli/itcare/internal/config"
)

// File names inside Store.Dir, per profile.
const (
	credentialsSuffix = ".credentials.json"
	tokenSuffix       = ".token.json"
	lockSuffix        = ".lock"
)

// lockWait bounds how long a process waits for another one to finish
// refreshing the same profile's token (a variable for tests).
var lockWait = 10 * time.Second

// lockRetry is the polling interval while waiting for the lock.
const lockRetry = 20 * time.Millisecond

// Store keeps per-profile files in Dir: <profile>.credentials.json (saved by
// login), <profile>.token.json (the token cache) and <profile>.lock (taken
// while a token is being obtained). The directory is created 0700, files are
// written 0600, atomically (temporary file in Dir, fsync, rename). On read, a
// file or directory more permissive than that makes Store call Warn (once per
// path); it is not an error.
type Store struct {
	Dir  string
	Warn func(format string, args ...any) // nil = no warnings
	// Keyring keeps the client secrets saved by login (nil: none, secrets
	// go to the credentials file).
	Keyring Keyring

	warned sync.Map // path → struct{}: permission warnings already given
}

// CachedToken is what the token cache holds for a profile. It is only valid
// for the client id and auth server it was obtained with (ClientID, AuthURL);
// TokenURL is kept so that a refresh needs no discovery request.
type CachedToken struct {
	AccessToken   string    `json:"access_token"`
	TokenType     string    `json:"token_type"`
	Expiry        time.Time `json:"expiry"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"` // zero: no refresh token, or its lifetime is unknown
	ClientID      string    `json:"client_id"`
	TokenURL      string    `json:"token_url"`
	AuthURL       string    `json:"auth_url"`           // the configured auth (realm) URL, normalised, that TokenURL was found from
	IssuedAt      time.Time `json:"issued_at,omitzero"` // when the access token was obtained: its lifetime scales the renewal margin
}

// String never shows the tokens.
func (t CachedToken) String() string {
	return fmt.Sprintf("{TokenType:%s Expiry:%s RefreshExpiry:%s ClientID:%s TokenURL:%s AuthURL:%s}",
		t.TokenType, t.Expiry.Format(time.RFC3339), t.RefreshExpiry.Format(time.RFC3339), t.ClientID, t.TokenURL, t.AuthURL)
}

// GoString never shows the tokens.
func (t CachedToken) GoString() string { return "auth.CachedToken" + t.String() }

// Format makes every fmt verb use String (GoString for %#v), so that no
// verb can print the tokens.
func (t CachedToken) Format(f fmt.State, verb rune) { formatSafely(f, verb, "auth.CachedToken", t) }

// CredentialsPath is the file login saves the profile's credentials to.
func (s *Store) CredentialsPath(profile string) string {
	return filepath.Join(s.Dir, profile+credentialsSuffix)
}

// TokenPath is the profile's token cache.
func (s *Store) TokenPath(profile string) string {
	return filepath.Join(s.Dir, profile+tokenSuffix)
}

// LockPath is the lock file taken while the profile's token is obtained.
func (s *Store) LockPath(profile string) string {
	return filepath.Join(s.Dir, profile+lockSuffix)
}

// LoadToken returns the profile's cached token, or nil, nil if there is
// none. A corrupt or truncated cache is reported through Warn and treated as
// absent (the next token obtained replaces it).
func (s *Store) LoadToken(profile string) (*CachedToken, error) {
	path, data, err := s.readProfileFile(profile, s.TokenPath)
	if err != nil || data == nil {
		return nil, err
	}
	var t CachedToken
	if err := json.Unmarshal(data, &t); err != nil {
		s.warnf("ignoring the corrupt token cache %s (%v); it will be replaced", path, jsonProblem(err))
		return nil, nil
	}
	if t.AccessToken == "" || t.ClientID == "" || t.TokenURL == "" || t.Expiry.IsZero() {
		s.warnf("ignoring the incomplete token cache %s; it will be replaced", path)
		return nil, nil
	}
	return &t, nil
}

// jsonProblem describes a JSON decoding error without quoting the input
// (which holds tokens).
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("unexpected JSON type for %q", typ.Field)
	}
	return "invalid JSON"
}

// SaveToken writes t to the profile's token cache.
func (s *Store) SaveToken(profile string, t *CachedToken) error {
	if err := config.ValidProfile(profile); err != nil {
		return err
	}
	if t == nil {
		return errors.New("no token to save")
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return s.write(s.TokenPath(profile), append(data, '\n'))
}

// Delete removes the profile's saved credentials, token cache and lock file
// (logout). Files that do not exist are not an error.
func (s *Store) Delete(profile string) error {
	if err := config.ValidProfile(profile); err != nil {
		return err
	}
	// Hold the lock so that a process refreshing the token right now does
	// not write the cache back after it has been removed.
	unlock, _ := s.lock(context.Background(), profile)
	defer unlock()
	var errs []error
	for _, p := range []string{s.TokenPath(profile), s.CredentialsPath(profile), s.LockPath(profile)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// lock takes the profile's cross-process lock, waiting at most lockWait (or
// until ctx is done). It returns the function that releases it. If the lock
// cannot be taken the error says why and unlock is a no-op.
func (s *Store) lock(ctx context.Context, profile string) (unlock func(), err error) {
	nop := func() {}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nop, err
	}
	fl := flock.New(s.LockPath(profile), flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|noFollow))
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("lock not acquired")
		}
		_ = fl.Close()
		return nop, err
	}
	return func() { _ = fl.Unlock() }, nil
}

// readProfileFile reads the file pathOf names for a valid profile name
// (nil data when there is none).
func (s *Store) readProfileFile(profile string, pathOf func(profile string) string) (path string, data []byte, err error) {
	if err := config.ValidProfile(profile); err != nil {
		return "", nil, err
	}
	path = pathOf(profile)
	data, err = s.read(path)
	return path, data, err
}

// read returns the file's content, nil if it does not exist, and warns if
// it or its directory can be accessed by other users.
func (s *Store) read(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.checkMode(filepath.Dir(path), 0o700)
	s.checkMode(path, 0o600)
	return data, nil
}

// checkMode warns once if path grants more than max.
func (s *Store) checkMode(path string, max fs.FileMode) {
	if runtime.GOOS == "windows" || s.Warn == nil {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	mode := fi.Mode().Perm()
	if mode&^max == 0 {
		return
	}
	if _, done := s.warned.LoadOrStore(path, struct{}{}); done {
		return
	}
	s.warnf("%s can be accessed by other users (mode %04o); run: chmod %o %s", path, mode, max, path)
}

func (s *Store) warnf(format string, args ...any) {
	if s.Warn != nil {
		s.Warn(format, args...)
	}
}

// write replaces path with data atomically, 0600.
func (s *Store) write(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o600)
}
