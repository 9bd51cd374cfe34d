package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/config"
	"github.com/itcare-cli/itcare/internal/output"
)

// configEntry is one row of `config list`.
type configEntry struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Env    string `json:"env"`
}

var configColumns = []output.Column{
	{Header: "KEY", Path: "key"},
	{Header: "VALUE", Path: "value"},
	{Header: "SOURCE", Path: "source"},
	{Header: "ENV", Path: "env", Wide: true},
}

func newConfigCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config <command>",
		Short: "Read and change the settings of a profile in the config file",
		Long: `Reads and changes the settings of the config file without editing YAML by
hand. set and unset change the section of the profile in use (-p, ITCARE_PROFILE,
or the default one) and keep the rest of the file and its comments. Values are
checked as the flags check them: a bad one changes nothing.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "Show every setting, its effective value and where it comes from",
		Long: `Shows every setting with its effective value and where that value comes from:
flag, env (environment variable), file (the profile's section of the config
file) or default.`,
		Example: `  itcare config list
  itcare config list -p staging -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runConfigList(f) },
	})
	c.AddCommand(
		configKeyCmd(f, "get KEY", "Print the effective value of a setting", `  itcare config get api-url
  itcare config get timeout -p staging`, false, runConfigGet),
		configKeyCmd(f, "set KEY VALUE", "Set a setting in the profile's section of the config file", `  itcare config set output json
  itcare config set timeout 1m -p staging
  itcare config set api-url https://api.cegedim.cloud/itcare`, true, runConfigSet),
		configKeyCmd(f, "unset KEY", "Remove a setting from the profile's section of the config file",
			`  itcare config unset output`, false, runConfigUnset),
	)
	return c
}

// configOptions are the arguments of `config get|set|unset`.
type configOptions struct {
	Key   string
	Value string // set only
}

// configKeyCmd is `config get|set|unset KEY [VALUE]`: the arguments of
// use go into the options run takes; fileOnly completes only the keys the
// config file may hold.
func configKeyCmd(f *Factory, use, short, example string, fileOnly bool, run func(*Factory, *configOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:               use,
		Short:             short,
		Example:           example,
		Args:              cobra.ExactArgs(len(strings.Fields(use)) - 1),
		ValidArgsFunction: completeConfigKeys(fileOnly),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &configOptions{Key: args[0]}
			if len(args) > 1 {
				opts.Value = args[1]
			}
			return run(f, opts)
		},
	}
}

// runConfigList prints every setting with its value and where it comes from.
func runConfigList(f *Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	p, err := f.Printer()
	if err != nil {
		return err
	}
	rows := make([]configEntry, 0, len(config.Options))
	for _, o := range config.Options {
		rows = append(rows, configEntry{Key: o.Key, Value: cfg.Values[o.Key], Source: cfg.Sources[o.Key], Env: o.Env})
	}
	return p.PrintList(rows, configColumns, "settings")
}

// runConfigGet prints the effective value of a known setting.
func runConfigGet(f *Factory, opts *configOptions) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if _, ok := config.Lookup(opts.Key); !ok {
		_, err := config.FileOption(opts.Key)
		return &UsageError{Err: err}
	}
	fmt.Fprintln(f.IO.Out, cfg.Values[opts.Key])
	return nil
}

// runConfigSet checks the value as its flag would and writes it to the
// profile's section of the config file.
func runConfigSet(f *Factory, opts *configOptions) error {
	cfg, o, err := fileSetting(f, opts.Key)
	if err != nil {
		return err
	}
	value, err := o.Normalize(opts.Value)
	if err != nil {
		return &UsageError{Err: err}
	}
	if err := config.SetValue(cfg.File, cfg.Profile, o.Key, value, o.Kind); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%s %s = %s for profile %q in %s\n", f.IO.Green("✓"), o.Key, value, cfg.Profile, cfg.File)
	warnShadowed(f, cfg, o)
	return nil
}

// runConfigUnset removes a setting from the profile's section of the
// config file.
func runConfigUnset(f *Factory, opts *configOptions) error {
	cfg, o, err := fileSetting(f, opts.Key)
	if err != nil {
		return err
	}
	found, err := config.UnsetValue(cfg.File, cfg.Profile, o.Key)
	if err != nil {
		return err
	}
	if !found {
		fmt.Fprintf(f.IO.ErrOut, "%s is not set for profile %q in %s: nothing changed\n", o.Key, cfg.Profile, cfg.File)
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "%s %s removed from profile %q in %s\n", f.IO.Green("✓"), o.Key, cfg.Profile, cfg.File)
	return nil
}

// fileSetting returns the settings and the option declared under key, which
// the config file must be able to hold (else a usage error).
func fileSetting(f *Factory, key string) (*config.Config, config.Option, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, config.Option{}, err
	}
	o, err := config.FileOption(key)
	if err != nil {
		return nil, config.Option{}, &UsageError{Err: err}
	}
	return cfg, o, nil
}

// warnShadowed says when the value just written is hidden by the
// environment or a flag of this command line.
func warnShadowed(f *Factory, cfg *config.Config, o config.Option) {
	switch cfg.Sources[o.Key] {
	case "env":
		f.IO.Warnf("%s=%s is set and wins over the config file", o.Env, os.Getenv(o.Env))
	case "flag":
		f.IO.Warnf("--%s on the command line wins over the config file", o.Key)
	}
}

// completeConfigKeys completes the first argument with the keys of the
// option registry (fileOnly: those the config file may hold).
func completeConfigKeys(fileOnly bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, o := range config.Options {
			if (!fileOnly || o.InFile) && !o.Hidden {
				out = append(out, cobra.CompletionWithDesc(o.Key, o.Usage))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
