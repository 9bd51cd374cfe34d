package cmd

import (
	"github.com/spf13/cobra"

	"github.com/itcare-cli/itcare/internal/build"
	"github.com/itcare-cli/itcare/internal/output"
)

var versionColumns = []output.Column{
	{Header: "VERSION", Path: "version"},
	{Header: "COMMIT", Path: "commit"},
	{Header: "DATE", Path: "date"},
	{Header: "GO", Path: "goVersion"},
	{Header: "PLATFORM", Path: "platform"},
}

func versionString() string {
	i := build.Get()
	s := "itcare " + i.Version
	if i.Commit != "" {
		s += " (" + shortCommit(i.Commit) + ")"
	}
	return s
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the version, commit, build date and Go version",
		Annotations: map[string]string{instantAnnotation: "true"},
		Example: `  itcare version
  itcare version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runVersion(f) },
	}
}

// runVersion prints the build information.
func runVersion(f *Factory) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	return p.PrintObject(build.Get(), versionColumns)
}
