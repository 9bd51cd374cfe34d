package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/itcare-cli/itcare/internal/config"
)

// Where a profile's client secret is kept.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

// SavedLogin is the on-disk form of what login saved for a profile
// (<profile>.credentials.json, 0600): the client id, the API and auth URLs
// the account belongs to, and where the secret is. The secret itself is in
// the file only when Storage is "file" (no keyring, --insecure-storage, or a
// file written by an earlier version, which has no Storage and no URLs).
type SavedLogin struct {
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret,omitempty"`
	APIURL         string `json:"api_url,omitempty"`
	AuthURL        string `json:"auth_url,omitempty"`
	Storage        string `json:"secret_storage,omitempty"`
	KeyringService string `json:"keyring_service,omitempty"`
	KeyringAccount string `json:"keyring_account,omitempty"`
}

// String never shows the secret.
func (l SavedLogin) String() string {
	return fmt.Sprintf("{ClientID:%s APIURL:%s AuthURL:%s Storage:%s}", l.ClientID, l.APIURL, l.AuthURL, l.Storage)
}

// SecretLocation says in words where the secret is: the keyring entry or
// the file.
func (l SavedLogin) SecretLocation(path string) string {
	if l.Storage == StorageKeyring {
		return fmt.Sprintf("system keyring (service %q, account %q)", l.KeyringService, l.KeyringAccount)
	}
	return path
}

// storage is Storage with the files of earlier versions counted as "file".
func (l SavedLogin) storage() string {
	if l.Storage == "" {
		return StorageFile
	}
	return l.Storage
}

// KeyringAccount is the keyring account of profile's secret: the profile
// and the config folder, so that two config folders never share an entry.
func (s *Store) KeyringAccount(profile string) string {
	dir := s.Dir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return profile + ":" + dir
}

// LoadLogin returns what login saved for profile without reading the
// secret from the keyring, or nil, nil if the profile has no login.
func (s *Store) LoadLogin(profile string) (*SavedLogin, error) {
	path, data, err := s.readProfileFile(profile, s.CredentialsPath)
	if err != nil || data == nil {
		return nil, err
	}
	var l SavedLogin
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("credentials file %s is not valid JSON: run `itcare login` again", path)
	}
	bad := l.ClientID == ""
	switch l.storage() {
	case StorageFile:
		bad = bad || l.ClientSecret == ""
	case StorageKeyring:
		bad = bad || l.KeyringService == "" || l.KeyringAccount == ""
	default:
		bad = true
	}
	if bad {
		return nil, fmt.Errorf("credentials file %s is incomplete: run `itcare login` again", path)
	}
	return &l, nil
}

// LoadCredentials returns the credentials saved for profile, reading the
// secret from the keyring when it is there (Source "keyring"), else from the
// file (Source "file"); nil, nil if the profile has no login. All errors are
// *Error.
func (s *Store) LoadCredentials(profile string) (*Credentials, error) {
	l, err := s.LoadLogin(profile)
	if err != nil {
		return nil, &Error{Msg: err.Error(), Err: err}
	}
	if l == nil {
		return nil, nil
	}
	return s.credentialsOf(profile, l)
}

func (s *Store) credentialsOf(profile string, l *SavedLogin) (*Credentials, error) {
	c := &Credentials{ClientID: l.ClientID, Source: StorageFile, Path: s.CredentialsPath(profile),
		APIURL: l.APIURL, AuthURL: l.AuthURL, Location: l.SecretLocation(s.CredentialsPath(profile))}
	if l.storage() == StorageFile {
		c.ClientSecret = l.ClientSecret
		return c, nil
	}
	c.Source = StorageKeyring
	if s.Keyring == nil {
		return nil, &Error{Msg: fmt.Sprintf("the secret of profile %q is in the system keyring, which this build cannot use: run `itcare login -p %s --insecure-storage`", profile, profile)}
	}
	secret, err := s.Keyring.Get(l.KeyringService, l.KeyringAccount)
	switch {
	case errors.Is(err, ErrSecretNotFound):
		return nil, &Error{Msg: fmt.Sprintf("the secret of profile %q is no longer in the system keyring (service %q, account %q): run `itcare login -p %s` again", profile, l.KeyringService, l.KeyringAccount, profile), Err: err}
	case err != nil:
		return nil, &Error{Msg: fmt.Sprintf("cannot read the secret of profile %q from the system keyring (%v): unlock the keyring, or run `itcare login -p %s --insecure-storage` to keep it in a file readable by you only, or set %s and %s", profile, err, profile, EnvClientID, EnvClientSecret), Err: err}
	}
	c.ClientSecret = secret
	return c, nil
}

// SaveResult says where SaveCredentials put the secret.
type SaveResult struct {
	Storage  string // StorageKeyring or StorageFile
	Location string // in words: the keyring entry or the file
	// Notice is set when the keyring was wanted but could not be used: one
	// line for stderr.
	Notice string
	// Warning is set when the previous secret could not be removed from the
	// keyring.
	Warning string
}

// SaveCredentials saves c (client id, secret, API and auth URLs) for
// profile: the secret in the keyring, or in the 0600 file when insecure is
// set, when the store has no keyring, or when the keyring cannot be reached
// (Notice then says so). Replacing a login kept in the file by one kept in
// the keyring removes the secret from the file (the migration of logins
// saved by earlier versions); the reverse removes the keyring entry.
func (s *Store) SaveCredentials(profile string, c Credentials, insecure bool) (*SaveResult, error) {
	if err := config.ValidProfile(profile); err != nil {
		return nil, err
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return nil, errors.New("cannot save credentials without a client id and a client secret")
	}
	prev, _ := s.LoadLogin(profile)
	path := s.CredentialsPath(profile)
	l := SavedLogin{ClientID: c.ClientID, APIURL: trimURL(c.APIURL), AuthURL: trimURL(c.AuthURL)}
	res := &SaveResult{}
	if !insecure && s.Keyring != nil {
		account := s.KeyringAccount(profile)
		err := s.Keyring.Set(KeyringService, account, c.ClientSecret)
		if err == nil {
			l.Storage, l.KeyringService, l.KeyringAccount = StorageKeyring, KeyringService, account
		} else {
			res.Notice = fmt.Sprintf("%v; the secret is saved in %s, readable by you only", err, path)
		}
	}
	if l.Storage == "" {
		l.Storage, l.ClientSecret = StorageFile, c.ClientSecret
	}
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := s.write(path, append(data, '\n')); err != nil {
		return nil, err
	}
	res.Storage, res.Location = l.Storage, l.SecretLocation(path)
	if prev != nil && prev.storage() == StorageKeyring &&
		(l.Storage != StorageKeyring || prev.KeyringService != l.KeyringService || prev.KeyringAccount != l.KeyringAccount) {
		if err := s.deleteKeyringEntry(prev); err != nil {
			res.Warning = fmt.Sprintf("the previous secret could not be removed from the system keyring (service %q, account %q): %v", prev.KeyringService, prev.KeyringAccount, err)
		}
	}
	return res, nil
}

func (s *Store) deleteKeyringEntry(l *SavedLogin) error {
	if s.Keyring == nil {
		return ErrKeyringUnavailable
	}
	if err := s.Keyring.Delete(l.KeyringService, l.KeyringAccount); err != nil && !errors.Is(err, ErrSecretNotFound) {
		return err
	}
	return nil
}

// Logout removes everything login saved for profile: the secret from the
// keyring (when it is there) and the files (login, token cache, lock). The
// files are removed even when the keyring cannot be reached; the error then
// says which entry is left.
func (s *Store) Logout(profile string) error {
	l, lerr := s.LoadLogin(profile)
	var errs []error
	if lerr == nil && l != nil && l.storage() == StorageKeyring {
		if err := s.deleteKeyringEntry(l); err != nil {
			errs = append(errs, fmt.Errorf("the secret is still in the system keyring (service %q, account %q): %w", l.KeyringService, l.KeyringAccount, err))
		}
	}
	if err := s.Delete(profile); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Profiles returns the names of the profiles with a saved login, sorted.
func (s *Store) Profiles() []string {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), credentialsSuffix); ok && !e.IsDir() && config.ValidProfile(name) == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Replaces describes what a login of next over the profile's saved login
// changes (client id, secret, URLs), or "" when it changes none of them.
// The saved secret is read to compare it (from the keyring if it is there);
// it is never shown.
func (s *Store) Replaces(profile string, next Credentials) string {
	prev, _ := s.LoadLogin(profile)
	if prev == nil {
		return ""
	}
	var parts []string
	if prev.ClientID != next.ClientID {
		parts = append(parts, fmt.Sprintf("client id %s (now %s)", prev.ClientID, next.ClientID))
	} else if old, err := s.credentialsOf(profile, prev); err == nil && old.ClientSecret != next.ClientSecret {
		parts = append(parts, "the secret of "+prev.ClientID)
	}
	if prev.APIURL != "" && !sameURL(prev.APIURL, next.APIURL) {
		parts = append(parts, fmt.Sprintf("API %s (now %s)", prev.APIURL, trimURL(next.APIURL)))
	}
	if prev.AuthURL != "" && !sameURL(prev.AuthURL, next.AuthURL) {
		parts = append(parts, fmt.Sprintf("auth server %s (now %s)", prev.AuthURL, trimURL(next.AuthURL)))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("replacing the login of profile %q: %s", profile, strings.Join(parts, ", "))
}

func trimURL(u string) string { return strings.TrimRight(strings.TrimSpace(u), "/") }

func sameURL(a, b string) bool { return strings.EqualFold(trimURL(a), trimURL(b)) }

// checkURLs refuses saved credentials used with other URLs than the ones
// they were saved for: their secret (and the tokens it buys) must not be
// sent to another server. Logins saved by earlier versions have no URLs and
// pass.
func (c *Credentials) checkURLs(profile, apiURL, authURL string) error {
	var diffs []string
	if c.APIURL != "" && !sameURL(c.APIURL, apiURL) {
		diffs = append(diffs, fmt.Sprintf("API %s, not %s", c.APIURL, trimURL(apiURL)))
	}
	if c.AuthURL != "" && !sameURL(c.AuthURL, authURL) {
		diffs = append(diffs, fmt.Sprintf("auth server %s, not %s", c.AuthURL, trimURL(authURL)))
	}
	if len(diffs) == 0 {
		return nil
	}
	return &Error{Msg: fmt.Sprintf("profile %q was logged in for %s: refusing to send its credentials elsewhere. "+
		"Use the profile made for these URLs (-p or ITCARE_PROFILE), unset ITCARE_API_URL/ITCARE_AUTH_URL (or --api-url/--auth-url), "+
		"or log in for them with `itcare login -p %s`", profile, strings.Join(diffs, "; "), profile)}
}

// EnvCredentials reports whether ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET
// are both set: the account of the environment is used, not a saved one.
func EnvCredentials() bool {
	return strings.TrimSpace(os.Getenv(EnvClientID)) != "" && os.Getenv(EnvClientSecret) != ""
}

// Resolve returns the credentials to use for profile with the API at apiURL
// and the auth server at authURL. ITCARE_CLIENT_ID and ITCARE_CLIENT_SECRET
// together win; ITCARE_CLIENT_ID alone must be the saved client id (its
// saved secret is used); ITCARE_CLIENT_SECRET alone goes with the saved
// client id; neither: the saved login. Saved credentials are refused for
// other URLs than theirs. store may be nil. All errors are *Error.
func Resolve(store *Store, profile, apiURL, authURL string) (*Credentials, error) {
	id := strings.TrimSpace(os.Getenv(EnvClientID))
	secret := os.Getenv(EnvClientSecret)
	if id != "" && secret != "" {
		return &Credentials{ClientID: id, ClientSecret: secret, Source: "env"}, nil
	}
	var saved *SavedLogin
	if store != nil {
		var err error
		if saved, err = store.LoadLogin(profile); err != nil {
			return nil, &Error{Msg: err.Error(), Err: err}
		}
	}
	switch {
	case id != "" && saved == nil:
		return nil, &Error{Msg: fmt.Sprintf("%s is set (%s) but %s is not, and profile %q has no saved login: set %s too, or run `itcare login -p %s` to save the secret of %s",
			EnvClientID, id, EnvClientSecret, profile, EnvClientSecret, profile, id)}
	case id != "" && saved.ClientID != id:
		return nil, &Error{Msg: fmt.Sprintf("%s is %s but profile %q is logged in as %s: set %s too (to use %s), or unset %s (to use the saved login of %s)",
			EnvClientID, id, profile, saved.ClientID, EnvClientSecret, id, EnvClientID, saved.ClientID)}
	case secret != "" && saved == nil:
		return nil, &Error{Msg: fmt.Sprintf("%s is set but no client id is: set %s too, or run `itcare login -p %s`", EnvClientSecret, EnvClientID, profile)}
	case secret != "":
		return &Credentials{ClientID: saved.ClientID, ClientSecret: secret, Source: "env"}, nil
	case saved == nil:
		return nil, &Error{Msg: notLoggedInMsg(profile)}
	}
	c := &Credentials{ClientID: saved.ClientID, APIURL: saved.APIURL, AuthURL: saved.AuthURL}
	if err := c.checkURLs(profile, apiURL, authURL); err != nil {
		return nil, err
	}
	return store.credentialsOf(profile, saved)
}
