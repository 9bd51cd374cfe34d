package cmd

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/isodate"
	"github.com/itcare-cli/itcare/internal/output"
)

var profileColumns = []output.Column{
	{Header: "ACTIVE", Value: func(o map[string]any) string {
		if o["active"] == true {
			return "*"
		}
		return ""
	}},
	{Header: "NAME", Path: "name"},
	{Header: "CLIENT-ID", Path: "clientId"},
	{Header: "API", Path: "apiUrl"},
	{Header: "SECRET", Path: "secret"},
	{Header: "TOKEN-VALID-UNTIL", Path: "tokenExpiry", Kind: output.Date},
	{Header: "AUTH", Path: "authUrl", Wide: true},
	{Header: "SECRET-LOCATION", Path: "secretLocation", Wide: true},
}

// newProfilesCmd is `auth list`, and `profiles` at the top level.
func newProfilesCmd(f *Factory, use string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: "List the profiles: client id, API, where the secret is, token expiry",
		Long: `Lists the profiles that have a saved login or a section in the config file,
with their client id, API URL, where the secret is (the system keyring or the
file), until when the cached token is valid, and a * on the active one (the one
-p, ITCARE_PROFILE or ` + "`itcare auth switch`" + ` selects). Reads no secret.`,
		Example: `  itcare auth list
  itcare profiles -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runProfiles(f) },
	}
}

// runProfiles lists the profiles of the config file and the saved logins.
func runProfiles(f *Factory) error {
	cfg, store, p, err := f.profilePrinter()
	if err != nil {
		return err
	}
	file, _, err := config.ReadFile(cfg.File)
	if err != nil {
		return &UsageError{Err: err}
	}
	apiURL := func(profile string) string {
		if v, ok := file.Profiles[profile][config.KeyAPIURL].(string); ok {
			return v
		}
		return config.DefaultAPIURL
	}
	rows := store.ListProfiles(cfg.Profile, fileProfiles(file), apiURL, time.Now(), isodate.Format)
	return p.PrintList(rows, profileColumns, "profiles")
}

func fileProfiles(file *config.File) []string {
	var names []string
	for name := range file.Profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func newAuthSwitchCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "switch PROFILE",
		Short: "Make PROFILE the one used without -p or ITCARE_PROFILE",
		Long: `Writes PROFILE as the default profile of the config file (default-profile),
so that commands use it without -p. -p and ITCARE_PROFILE still win. The profile
must have a saved login or a section in the config file.`,
		Example: `  itcare auth switch staging
  itcare auth switch default`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAuthSwitch(f, args[0]) },
	}
}

// runAuthSwitch makes profile the config file's default one; it must have a
// saved login or a section in the file.
func runAuthSwitch(f *Factory, profile string) error {
	cfg, store, err := f.ProfileStore()
	if err != nil {
		return err
	}
	if err := config.ValidProfile(profile); err != nil {
		return &UsageError{Err: err}
	}
	file, _, err := config.ReadFile(cfg.File)
	if err != nil {
		return &UsageError{Err: err}
	}
	_, inFile := file.Profiles[profile]
	if l, _ := store.LoadLogin(profile); l == nil && !inFile {
		return usageErrorf("profile %q has no login and no section in %s: run `itcare login -p %s` first", profile, cfg.File, profile)
	}
	if err := config.SetDefaultProfile(cfg.File, profile); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%s Active profile is now %q (%s in %s)\n", f.IO.Green("✓"), profile, config.KeyDefaultProfile, cfg.File)
	if po, ok := config.Lookup(config.KeyProfile); ok {
		if v := os.Getenv(po.Env); v != "" && v != profile {
			f.IO.Warnf("%s=%s is set and still wins in this environment", po.Env, v)
		}
	}
	return nil
}
