package auth

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// No test of this package may reach the developer's keyring: the library's
// provider is its in-memory mock for the whole test binary.
func TestMain(m *testing.M) {
	gokeyring.MockInit()
	os.Exit(m.Run())
}

// memKeyring is an in-memory keyring; down makes every call fail as an
// unreachable keyring does.
type memKeyring struct {
	mu      sync.Mutex
	entries map[string]string
	down    bool
}

func (k *memKeyring) key(service, account string) string { return service + "\x00" + account }

func (k *memKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return "", ErrKeyringUnavailable
	}
	v, ok := k.entries[k.key(service, account)]
	if !ok {
		return "", ErrSecretNotFound
	}
	return v, nil
}

func (k *memKeyring) Set(service, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return ErrKeyringUnavailable
	}
	if k.entries == nil {
		k.entries = map[string]string{}
	}
	k.entries[k.key(service, account)] = secret
	return nil
}

func (k *memKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return ErrKeyringUnavailable
	}
	if _, ok := k.entries[k.key(service, account)]; !ok {
		return ErrSecretNotFound
	}
	delete(k.entries, k.key(service, account))
	return nil
}

func (k *memKeyring) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.entries)
}

// hangingKeyring never answers, as a hung D-Bus.
type hangingKeyring struct{ release chan struct{} }

func (k hangingKeyring) Get(string, string) (string, error) { <-k.release; return "", nil }
func (k hangingKeyring) Set(string, string, string) error   { <-k.release; return nil }
func (k hangingKeyring) Delete(string, string) error        { <-k.release; return nil }

func fileHas(t *testing.T, path, s string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(data), s)
}

func TestSecretGoesToTheKeyringAndNotTheFile(t *testing.T) {
	kr := &memKeyring{}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	res, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "s3cret", APIURL: "https://a/itcare/", AuthURL: "https://k/realms/r"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Storage != StorageKeyring || res.Notice != "" || !strings.Contains(res.Location, KeyringService) {
		t.Errorf("result: %+v", res)
	}
	if fileHas(t, s.CredentialsPath("default"), "s3cret") {
		t.Error("the secret was written to the file")
	}
	c, err := s.LoadCredentials("default")
	if err != nil || c.ClientSecret != "s3cret" || c.Source != StorageKeyring || c.APIURL != "https://a/itcare" {
		t.Fatalf("load: %v %v", c, err)
	}
	if err := s.Logout("default"); err != nil {
		t.Fatal(err)
	}
	if kr.len() != 0 {
		t.Error("logout left the secret in the keyring")
	}
	if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
		t.Errorf("logout left files: %v", entries)
	}
}

func TestNoKeyringFallsBackToTheFileWithANotice(t *testing.T) {
	s := &Store{Dir: t.TempDir(), Keyring: &memKeyring{down: true}}
	res, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "s3cret"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Storage != StorageFile || !strings.Contains(res.Notice, "no usable system keyring") || !strings.Contains(res.Notice, s.CredentialsPath("default")) {
		t.Errorf("result: %+v", res)
	}
	c, err := s.LoadCredentials("default")
	if err != nil || c.ClientSecret != "s3cret" || c.Source != StorageFile {
		t.Fatalf("load: %v %v", c, err)
	}
}

func TestInsecureStorageForcesTheFileAndRemovesTheKeyringEntry(t *testing.T) {
	kr := &memKeyring{}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "one"}, false); err != nil {
		t.Fatal(err)
	}
	res, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "two"}, true)
	if err != nil || res.Storage != StorageFile || res.Notice != "" {
		t.Fatalf("%+v %v", res, err)
	}
	if kr.len() != 0 {
		t.Error("the keyring still holds the previous secret")
	}
	if !fileHas(t, s.CredentialsPath("default"), "two") {
		t.Error("the secret is not in the file")
	}
}

func TestFileLoginOfEarlierVersionsWorksAndMovesToTheKeyring(t *testing.T) {
	kr := &memKeyring{}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	old, _ := json.Marshal(map[string]string{"client_id": "id", "client_secret": "old-secret"})
	if err := os.WriteFile(s.CredentialsPath("default"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(s, "default", "https://anything/itcare", "https://anything/realms/r")
	if err != nil || c.ClientSecret != "old-secret" || c.Source != StorageFile {
		t.Fatalf("old file: %v %v", c, err)
	}
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "old-secret"}, false); err != nil {
		t.Fatal(err)
	}
	if fileHas(t, s.CredentialsPath("default"), "old-secret") {
		t.Error("the secret is still in the file after login")
	}
	if c, err := s.LoadCredentials("default"); err != nil || c.Source != StorageKeyring || c.ClientSecret != "old-secret" {
		t.Errorf("after login: %v %v", c, err)
	}
}

func TestSavedCredentialsRefuseOtherURLs(t *testing.T) {
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvClientSecret, "")
	kr := &memKeyring{}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	const api, realm = "https://api.example/itcare", "https://auth.example/realms/r"
	if _, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "x", APIURL: api, AuthURL: realm}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(s, "default", api+"/", realm); err != nil {
		t.Errorf("same URLs: %v", err)
	}
	_, err := Resolve(s, "default", "http://127.0.0.1:8080/itcare", realm)
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), api) || !strings.Contains(err.Error(), "127.0.0.1:8080") {
		t.Errorf("other API: %v", err)
	}
	if _, err := Resolve(s, "default", api, "http://127.0.0.1:8080/auth/realms/cloud"); !errors.As(err, &ae) || !strings.Contains(err.Error(), realm) {
		t.Errorf("other auth server: %v", err)
	}
}

func TestHungKeyringFallsBackInBoundedTime(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	kr := &BoundedKeyring{Base: hangingKeyring{release}, Timeout: 100 * time.Millisecond}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	start := time.Now()
	res, err := s.SaveCredentials("default", Credentials{ClientID: "id", ClientSecret: "x"}, false)
	took := time.Since(start)
	if err != nil || res.Storage != StorageFile || !strings.Contains(res.Notice, "took more than 100ms") {
		t.Fatalf("%+v %v", res, err)
	}
	if took > time.Second {
		t.Errorf("took %s", took)
	}
	// Once found hung, the keyring is not waited for again.
	start = time.Now()
	if _, err := kr.Get("a", "b"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("second call: %v", err)
	}
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("second call took %s", took)
	}
}

func TestSystemKeyringUsesTheLibrary(t *testing.T) {
	// The library's mock (TestMain), through the bounded wrapper.
	kr := SystemKeyring(0)
	if _, err := kr.Get("itcare-test", "nobody"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if err := kr.Set("itcare-test", "a", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := kr.Get("itcare-test", "a"); err != nil || v != "v" {
		t.Fatalf("get: %q %v", v, err)
	}
	if err := kr.Delete("itcare-test", "a"); err != nil {
		t.Fatal(err)
	}
}

func TestLogoutWithUnreachableKeyringSaysWhatIsLeft(t *testing.T) {
	kr := &memKeyring{}
	s := &Store{Dir: t.TempDir(), Keyring: kr}
	if _, err := s.SaveCredentials("p", Credentials{ClientID: "id", ClientSecret: "x"}, false); err != nil {
		t.Fatal(err)
	}
	kr.down = true
	err := s.Logout("p")
	if err == nil || !strings.Contains(err.Error(), "still in the system keyring") {
		t.Errorf("logout: %v", err)
	}
	if _, err := os.Stat(s.CredentialsPath("p")); !os.IsNotExist(err) {
		t.Error("the files were not removed")
	}
}

func TestReplacesSaysWhatALoginChanges(t *testing.T) {
	s := &Store{Dir: t.TempDir(), Keyring: &memKeyring{}}
	next := Credentials{ClientID: "id", ClientSecret: "one", APIURL: "https://a/itcare", AuthURL: "https://k/realms/r"}
	if r := s.Replaces("p", next); r != "" {
		t.Errorf("nothing saved: %q", r)
	}
	if _, err := s.SaveCredentials("p", next, false); err != nil {
		t.Fatal(err)
	}
	if r := s.Replaces("p", next); r != "" {
		t.Errorf("same login: %q", r)
	}
	changed := next
	changed.ClientSecret = "two"
	if r := s.Replaces("p", changed); !strings.Contains(r, "the secret of id") || strings.Contains(r, "one") || strings.Contains(r, "two") {
		t.Errorf("new secret: %q", r)
	}
	changed = Credentials{ClientID: "id2", ClientSecret: "x", APIURL: "http://127.0.0.1:8080/itcare", AuthURL: "https://k/realms/r"}
	r := s.Replaces("p", changed)
	for _, want := range []string{`profile "p"`, "client id id (now id2)", "API https://a/itcare (now http://127.0.0.1:8080/itcare)"} {
		if !strings.Contains(r, want) {
			t.Errorf("%q lacks %q", r, want)
		}
	}
	if strings.Contains(r, "auth server") {
		t.Errorf("same auth server reported: %q", r)
	}
}
