package cmd

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/build"
	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/output"
)

// Factory is the one dependency holder built at start-up and passed to every
// command. Its parts are built lazily, once, after the flags are parsed;
// tests swap IO and Transport.
type Factory struct {
	IO *output.IOStreams
	// Transport, when set, replaces the base HTTP transport (tests, fault injection).
	Transport http.RoundTripper
	// WaitOptions tunes action polling (tests shorten the intervals).
	WaitOptions api.WaitOptions
	// Keyring, when set, replaces the system keyring (tests).
	Keyring auth.Keyring
	// WatchPolls, when positive, ends a --watch after that many polls (tests).
	WatchPolls int

	mu  sync.Mutex
	ctx context.Context // the invocation's: ends with Ctrl-C / SIGTERM
	// watchInterrupts makes Ctrl-C and SIGTERM cancel ctx (Main sets it;
	// nil in tests, whose contexts are their own).
	watchInterrupts func()
	flags           *pflag.FlagSet
	cfg             *config.Config
	cfgErr          error
	manager         *auth.Manager
	client          *api.Client
}

// NewFactory returns a factory writing to ios.
func NewFactory(ios *output.IOStreams) *Factory { return &Factory{IO: ios} }

func (f *Factory) setFlags(fs *pflag.FlagSet) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flags = fs
	f.cfg, f.cfgErr = nil, nil
}

// Config returns the resolved settings of this invocation.
func (f *Factory) Config() (*config.Config, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg == nil && f.cfgErr == nil {
		f.cfg, f.cfgErr = config.Load(f.flags)
		if f.cfgErr != nil {
			f.cfgErr = &UsageError{Err: f.cfgErr}
		}
	}
	return f.cfg, f.cfgErr
}

// DryRun reports whether this invocation only asks the API to validate
// changes: the one answer the confirmations and the API client share.
func (f *Factory) DryRun() bool {
	cfg, err := f.Config()
	return err == nil && cfg.DryRun
}

// Debugf writes a decision to stderr when --debug is on.
func (f *Factory) Debugf(format string, args ...any) {
	if cfg, err := f.Config(); err == nil && cfg.Debug {
		f.IO.StopProgress()
		fmt.Fprintf(f.IO.ErrOut, "debug: "+format+"\n", args...)
	}
}

// baseTransport returns the transport every HTTP call goes through:
// retries above a redacted --debug trace above the network (or the test's
// Transport). allSafe: every request may be repeated (token requests).
func (f *Factory) baseTransport(cfg *config.Config, allSafe bool) http.RoundTripper {
	o := api.TransportOptions{Timeout: cfg.Timeout}
	if cfg.Debug {
		o.Debug = f.IO.ErrOut
	}
	var rt http.RoundTripper
	switch {
	case f.Transport == nil:
		rt = api.NewTransport(o)
	case o.Debug != nil:
		rt = &api.DebugTransport{Base: f.Transport, W: o.Debug}
	default:
		rt = f.Transport
	}
	return &api.RetryTransport{Base: rt, Debugf: f.Debugf, AllSafe: allSafe}
}

// ProfileStore returns the settings and the per-profile credentials and
// token store.
func (f *Factory) ProfileStore() (*config.Config, *auth.Store, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	return cfg, &auth.Store{Dir: cfg.Dir, Warn: f.IO.Warnf, Keyring: f.keyring()}, nil
}

// profilePrinter returns the settings, the profile store and the printer.
func (f *Factory) profilePrinter() (*config.Config, *auth.Store, *output.Printer, error) {
	cfg, store, err := f.ProfileStore()
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := f.Printer()
	if err != nil {
		return nil, nil, nil, err
	}
	return cfg, store, p, nil
}

// keyring is the keyring login saves secrets to: the system's, each call
// bounded in time, unless a test set another.
func (f *Factory) keyring() auth.Keyring {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Keyring == nil {
		f.Keyring = auth.SystemKeyring(0)
	}
	return f.Keyring
}

// AuthManager returns the token source for the profile, with credentials
// from the environment or the profile's saved ones.
func (f *Factory) AuthManager() (*auth.Manager, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	m := f.manager
	f.mu.Unlock()
	if m != nil {
		return m, nil
	}
	_, store, err := f.ProfileStore()
	if err != nil {
		return nil, err
	}
	creds, err := auth.Resolve(store, cfg.Profile, cfg.APIURL, cfg.AuthURL)
	if err != nil {
		return nil, err
	}
	m = f.newManager(cfg, store, *creds)
	f.mu.Lock()
	f.manager = m
	f.mu.Unlock()
	return m, nil
}

func (f *Factory) newManager(cfg *config.Config, store *auth.Store, creds auth.Credentials) *auth.Manager {
	return &auth.Manager{
		Store:       store,
		Profile:     cfg.Profile,
		AuthURL:     cfg.AuthURL,
		Credentials: creds,
		// Token grants change nothing on the server: retried like GETs.
		HTTPClient: api.NewHTTPClient(f.baseTransport(cfg, true), cfg.Timeout),
		Debugf:     f.Debugf,
	}
}

// API returns the authenticated API client.
func (f *Factory) API() (*api.Client, error) {
	f.mu.Lock()
	c := f.client
	f.mu.Unlock()
	if c != nil {
		return c, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	base, err := api.ParseBaseURL(cfg.APIURL)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	m, err := f.AuthManager()
	if err != nil {
		return nil, err
	}
	rt := &auth.Transport{Base: f.baseTransport(cfg, false), Manager: m, APIHost: base.String()}
	c, err = api.New(api.Options{BaseURL: cfg.APIURL, HTTPClient: api.NewHTTPClient(rt, cfg.Timeout),
		UserAgent: build.UserAgent(), DryRun: f.DryRun(),
		Limits:  api.Limits{MaxItems: cfg.MaxItems, MaxBytes: int64(cfg.MaxListMiB) << 20},
		Prepare: func(ctx context.Context) error { _, err := m.Token(ctx); return err }})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	f.mu.Lock()
	f.client = c
	f.mu.Unlock()
	return c, nil
}

// AnonymousAPI returns a client that sends no credentials (health checks).
func (f *Factory) AnonymousAPI() (*api.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	c, err := api.New(api.Options{BaseURL: cfg.APIURL, HTTPClient: api.NewHTTPClient(f.baseTransport(cfg, false), cfg.Timeout),
		UserAgent: build.UserAgent()})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return c, nil
}

// Printer returns the output printer configured by -o, --jq and --no-header.
func (f *Factory) Printer() (*output.Printer, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	format, err := output.ParseFormat(cfg.Output)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	opts := output.Options{Format: format}
	if f.flags != nil {
		opts.JQ, _ = f.flags.GetString("jq")
		opts.NoHeader, _ = f.flags.GetBool("no-header")
	}
	if opts.JQ != "" {
		if err := output.ValidateJQ(opts.JQ); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	return &output.Printer{IO: f.IO, Opts: opts, Ctx: f.ctx}, nil
}

// Session is what a command that talks to the API needs: the printer
// (its -o already checked against the command's columns) and the client.
type Session struct {
	P *output.Printer
	C *api.Client
}

// Session checks the output options against cols (nil: any) and builds the
// API client, before anything is sent.
func (f *Factory) Session(cols []output.Column) (*Session, error) {
	p, err := f.Printer()
	if err != nil {
		return nil, err
	}
	if cols != nil {
		if err := output.ValidateColumns(p.Opts.Format, cols); err != nil {
			return nil, err
		}
	}
	c, err := f.API()
	if err != nil {
		return nil, err
	}
	return &Session{P: p, C: c}, nil
}

// waitOptions returns the waiter settings with --debug tracing.
func (f *Factory) waitOptions(timeout, interval time.Duration) api.WaitOptions {
	o := f.WaitOptions
	if timeout > 0 {
		o.Timeout = timeout
	}
	if interval > 0 {
		o.Interval = interval
	}
	o.Debugf = f.Debugf
	return o
}
