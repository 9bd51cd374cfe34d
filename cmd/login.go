package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/auth"
	"github.com/itcare-cli/itcare/internal/compcache"
	"github.com/itcare-cli/itcare/internal/isodate"
	"github.com/itcare-cli/itcare/internal/output"
)

// loginOptions are the flags of `itcare login`.
type loginOptions struct {
	ClientID        string
	SecretStdin     bool
	InsecureStorage bool
}

func newLoginCmd(f *Factory) *cobra.Command {
	opts := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with an ITCare API account and save it for the profile",
		Long: `Proves the API account's credentials by getting a token (OAuth 2.0 client
credentials grant), then saves them for the profile, with the API and auth URLs
they belong to: the client secret in the system keyring (macOS Keychain, Windows
Credential Manager, the Secret Service on Linux), the client id and the token in
the itcare config directory (files readable by you only). Where no keyring can
be reached, or with --insecure-storage, the secret goes to that folder too.
Saved credentials are only ever sent to the URLs they were saved for.

The client id comes from --client-id, ITCARE_CLIENT_ID, the profile's saved id,
or a prompt. The secret is never accepted as a flag value: it is read from
standard input with --client-secret-stdin, from ITCARE_CLIENT_SECRET, or asked
for with hidden input on a terminal.`,
		Example: `  # interactive: asks for the secret without echoing it
  itcare login --client-id my-api-account

  # non-interactive (CI): the secret comes from a file or a secret manager
  itcare login --client-id my-api-account --client-secret-stdin < secret.txt

  # a second profile for another organisation
  itcare login -p staging --client-id staging-account

  # keep the secret in a file even where a keyring exists
  itcare login --client-id my-api-account --insecure-storage`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogin(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ClientID, "client-id", "", "API account client id")
	cmd.Flags().BoolVar(&opts.SecretStdin, "client-secret-stdin", false, "read the client secret from standard input")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "save the client secret in a file (readable by you only) instead of the system keyring")
	return cmd
}

// runLogin finds the client id and the secret (usage errors before
// anything is sent), proves them by getting a token, then saves them.
func runLogin(ctx context.Context, f *Factory, opts *loginOptions) error {
	cfg, store, err := f.ProfileStore()
	if err != nil {
		return err
	}
	saved, _ := store.LoadLogin(cfg.Profile)
	creds := auth.Credentials{ClientID: strings.TrimSpace(opts.ClientID), Source: "flag", APIURL: cfg.APIURL, AuthURL: cfg.AuthURL}
	if creds.ClientID == "" {
		if v := os.Getenv(auth.EnvClientID); v != "" {
			creds.ClientID, creds.Source = v, "env"
		} else if saved != nil && saved.ClientID != "" {
			creds.ClientID, creds.Source = saved.ClientID, "file"
		} else if f.IO.CanPrompt() {
			if creds.ClientID, err = output.Prompt(f.IO, "Client id: "); err != nil {
				return err
			}
			creds.Source = "prompt"
		} else {
			return usageErrorf("no client id: pass --client-id or set %s", auth.EnvClientID)
		}
	}
	switch {
	case opts.SecretStdin:
		if creds.ClientSecret, err = output.ReadSecretLine(f.IO.In); err != nil {
			return usageErrorf("reading the client secret from standard input: %v", err)
		}
	case os.Getenv(auth.EnvClientSecret) != "":
		creds.ClientSecret = os.Getenv(auth.EnvClientSecret)
	case f.IO.CanPrompt():
		if creds.ClientSecret, err = output.PromptSecret(f.IO, "Client secret for "+creds.ClientID+": "); err != nil {
			return err
		}
	default:
		return usageErrorf("no client secret: pass --client-secret-stdin (and pipe the secret) or set %s", auth.EnvClientSecret)
	}
	if creds.ClientID == "" || creds.ClientSecret == "" {
		return usageErrorf("the client id and the client secret must not be empty")
	}
	m := f.newManager(cfg, store, creds)
	f.IO.StartProgress("Logging in to " + cfg.AuthURL)
	tok, err := m.Login(ctx)
	f.IO.StopProgress()
	if err != nil {
		return err
	}
	if r := store.Replaces(cfg.Profile, creds); r != "" {
		f.IO.Warnf("%s", r)
	}
	res, err := store.SaveCredentials(cfg.Profile, creds, opts.InsecureStorage)
	if err != nil {
		return fmt.Errorf("saving credentials: %w", err)
	}
	if res.Notice != "" {
		f.IO.Warnf("%s", res.Notice)
	}
	if res.Warning != "" {
		f.IO.Warnf("%s", res.Warning)
	}
	fmt.Fprintf(f.IO.ErrOut, "%s Logged in to %s as %s (profile %q)\n", f.IO.Green("✓"), cfg.APIURL, creds.ClientID, cfg.Profile)
	fmt.Fprintf(f.IO.ErrOut, "  token valid until %s; it is refreshed automatically\n", tok.Expiry.Local().Format(time.DateTime))
	fmt.Fprintf(f.IO.ErrOut, "  secret saved in %s\n", res.Location)
	return nil
}

func newLogoutCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the profile's saved credentials (keyring and file) and tokens",
		Example: `  itcare logout
  itcare logout -p staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runLogout(f) },
	}
}

// runLogout removes the profile's saved login, tokens and completion cache.
func runLogout(f *Factory) error {
	cfg, store, err := f.ProfileStore()
	if err != nil {
		return err
	}
	if err := store.Logout(cfg.Profile); err != nil {
		return err
	}
	if err := (compcache.Cache{Dir: cfg.Dir}).Drop(cfg.Profile); err != nil {
		f.IO.Warnf("could not remove the completion cache: %v", err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Logged out of profile %q: saved credentials (keyring and file) and tokens removed\n", cfg.Profile)
	if os.Getenv(auth.EnvClientID) != "" || os.Getenv(auth.EnvClientSecret) != "" {
		f.IO.Warnf("%s / %s are still set in the environment and will be used", auth.EnvClientID, auth.EnvClientSecret)
	}
	return nil
}

var authStatusColumns = []output.Column{
	{Header: "PROFILE", Path: "profile"},
	{Header: "CLIENT-ID", Path: "clientId"},
	{Header: "API", Path: "apiUrl"},
	{Header: "AUTH", Path: "authUrl"},
	{Header: "CREDENTIALS", Path: "credentialsSource"},
	{Header: "CREDENTIALS-FILE", Path: "credentialsFile"},
	{Header: "SECRET", Path: "secretLocation"},
	{Header: "TOKEN-CACHE", Path: "tokenCache"},
	{Header: "TOKEN-EXPIRY", Path: "tokenExpiry", Kind: output.Date},
	{Header: "REFRESH-EXPIRY", Path: "refreshExpiry", Kind: output.Date},
	{Header: "TOKEN-VALID", Path: "tokenValid", Kind: output.Bool},
	{Header: "CONFIG-FILE", Path: "configFile"},
}

func newAuthCmd(f *Factory) *cobra.Command {
	authCmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Inspect, list and switch the logins of profiles",
		Args:  cobra.NoArgs,
	}
	authCmd.AddCommand(newAuthStatusCmd(f), newProfilesCmd(f, "list"), newAuthSwitchCmd(f), newAuthTokenCmd(f))
	return authCmd
}

func newAuthStatusCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the profile, client id, URLs, token expiry and where credentials come from",
		Long: `Shows the profile in use, its client id, the API and auth URLs, the cached
token's expiry, and where the credentials come from (the environment, or what
login saved) and where the secret is (the system keyring entry, or the file).
Never prints a secret. Exits 4 when no credentials are configured.`,
		Example: `  itcare auth status
  itcare auth status -p staging -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAuthStatus(f) },
	}
}

// runAuthStatus prints where the profile's credentials and token are; with
// no credentials it still prints what it knows, then fails (exit 4).
func runAuthStatus(f *Factory) error {
	cfg, store, p, err := f.profilePrinter()
	if err != nil {
		return err
	}
	st, credErr := store.ProfileStatus(cfg.Profile, cfg.APIURL, cfg.AuthURL, cfg.File, time.Now(), isodate.Format)
	if err := p.PrintObject(st, authStatusColumns); err != nil {
		return err
	}
	return credErr
}

func newAuthTokenCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token for the profile",
		Long: `Prints a valid access token on standard output, getting or refreshing one if
needed, for use with other tools. Treat it as a secret.`,
		Example: `  curl -H "Authorization: Bearer $(itcare auth token)" https://api.cegedim.cloud/itcare/actions`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return runAuthToken(cmd.Context(), f) },
	}
}

// runAuthToken prints a valid access token, renewed when needed.
func runAuthToken(ctx context.Context, f *Factory) error {
	m, err := f.AuthManager()
	if err != nil {
		return err
	}
	tok, err := m.Token(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(f.IO.RawOut(), tok.AccessToken)
	return nil
}
