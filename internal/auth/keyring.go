package auth

import (
	"errors"
	"fmt"
	"sync"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// Keyring is where login keeps client secrets outside files: the operating
// system's keyring (macOS Keychain, Windows Credential Manager, the Secret
// Service on Linux), or a stand-in in tests.
//
// Get returns ErrSecretNotFound when there is no such entry and an error
// wrapping ErrKeyringUnavailable when the keyring cannot be reached (no
// Secret Service on the bus, a locked or hung keyring...).
type Keyring interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

var (
	// ErrSecretNotFound: the keyring has no entry for the service and account.
	ErrSecretNotFound = errors.New("secret not found in the keyring")
	// ErrKeyringUnavailable: the keyring cannot be used at all.
	ErrKeyringUnavailable = errors.New("no usable system keyring")
)

// KeyringService is the service name of itcare's keyring entries.
const KeyringService = "itcare"

// DefaultKeyringTimeout bounds every call to the system keyring: a hung
// D-Bus or a keyring waiting for a prompt nobody answers must not hang the
// CLI.
const DefaultKeyringTimeout = 3 * time.Second

// SystemKeyring returns the operating system's keyring, each call bounded by
// timeout (DefaultKeyringTimeout if zero). Once a call has failed to reach
// the keyring, the following ones fail at once: a process pays the timeout
// at most once.
func SystemKeyring(timeout time.Duration) Keyring {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &BoundedKeyring{Base: goKeyring{}, Timeout: timeout}
}

// goKeyring is github.com/zalando/go-keyring (in tests, its mock once
// MockInit has been called). Its calls are serialised process-wide: the
// library's mock is not safe for concurrent use, and the real keyrings gain
// nothing from concurrency.
type goKeyring struct{}

var goKeyringMu sync.Mutex

func (goKeyring) Get(service, account string) (string, error) {
	goKeyringMu.Lock()
	defer goKeyringMu.Unlock()
	return gokeyring.Get(service, account)
}
func (goKeyring) Set(service, account, secret string) error {
	goKeyringMu.Lock()
	defer goKeyringMu.Unlock()
	return gokeyring.Set(service, account, secret)
}
func (goKeyring) Delete(service, account string) error {
	goKeyringMu.Lock()
	defer goKeyringMu.Unlock()
	return gokeyring.Delete(service, account)
}

// BoundedKeyring runs each call of Base in a goroutine and gives up after
// Timeout. Its errors are ErrSecretNotFound, or wrap ErrKeyringUnavailable.
type BoundedKeyring struct {
	Base    Keyring
	Timeout time.Duration

	mu     sync.Mutex // guards broken
	broken error      // set once the keyring has been found unusable
}

func (k *BoundedKeyring) Get(service, account string) (string, error) {
	var secret string
	err := k.call("reading from", func() (err error) {
		secret, err = k.Base.Get(service, account)
		return err
	})
	return secret, err
}

func (k *BoundedKeyring) Set(service, account, secret string) error {
	return k.call("writing to", func() error { return k.Base.Set(service, account, secret) })
}

func (k *BoundedKeyring) Delete(service, account string) error {
	return k.call("removing from", func() error { return k.Base.Delete(service, account) })
}

func (k *BoundedKeyring) call(what string, fn func() error) error {
	k.mu.Lock()
	broken := k.broken
	k.mu.Unlock()
	if broken != nil {
		return broken
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(k.Timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		err = fmt.Errorf("%w: %s the keyring took more than %s", ErrKeyringUnavailable, what, k.Timeout)
		k.setBroken(err)
		return err
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gokeyring.ErrNotFound), errors.Is(err, ErrSecretNotFound):
		return ErrSecretNotFound
	case errors.Is(err, ErrKeyringUnavailable):
		k.setBroken(err)
		return err
	}
	err = fmt.Errorf("%w: %s the keyring: %v", ErrKeyringUnavailable, what, err)
	k.setBroken(err)
	return err
}

func (k *BoundedKeyring) setBroken(err error) {
	k.mu.Lock()
	k.broken = err
	k.mu.Unlock()
}
