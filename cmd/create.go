package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/body"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
)

// bodyFlags are the flags of a command that sends a declared body: one per
// field, --from-file, --set and, when the body has a secret,
// --password-stdin.
type bodyFlags struct {
	spec   family.Fields
	fields *body.Flags
	opts   body.Options
}

func registerBodyFlags(fs *pflag.FlagSet, spec family.Fields, withFile bool) *bodyFlags {
	bf := &bodyFlags{spec: spec, fields: body.RegisterFlags(fs, spec)}
	if withFile {
		fs.StringVar(&bf.opts.FromFile, "from-file", "", "read the request body from a JSON or YAML file (- for standard input); flags override its fields")
		fs.StringArrayVar(&bf.opts.Sets, "set", nil, "set a body field the CLI does not know, key=value (repeatable; dotted keys nest; true, false, null and numbers are typed, @file reads a file)")
	}
	if secrets := spec.Secrets(); len(secrets) > 0 {
		fs.BoolVar(&bf.opts.PasswordStdin, "password-stdin", false,
			fmt.Sprintf("read the %s from the first line of standard input (or set %s; on a terminal you are asked)", secrets[0].Key, secrets[0].Env))
	}
	return bf
}

// build assembles, asks for (on a terminal) and checks the body; a bad
// body is a usage error and nothing is sent.
func (bf *bodyFlags) build(f *Factory) (map[string]any, error) {
	bf.opts.Flags = bf.fields.Values()
	b, err := body.Assemble(bf.spec, bf.opts, f.IO)
	var ue *body.UsageError
	if errors.As(err, &ue) {
		return nil, &UsageError{Err: err}
	}
	return b, err
}

// createCmd is `<family> create`, built from the family's body declaration.
// createOptions are the flags of `<family> create`.
type createOptions struct {
	waitFlags
	Body *bodyFlags
}

func (s *familySpec) createCmd(f *Factory) *cobra.Command {
	opts := &createOptions{}
	var required, secret []string
	for _, fl := range s.Create.Fields {
		switch {
		case fl.Secret:
			secret = append(secret, fmt.Sprintf("%s (--password-stdin, %s or a hidden prompt)", fl.Key, fl.Env))
		case fl.Required:
			required = append(required, "--"+fl.Flag())
		}
	}
	long := fmt.Sprintf(`Creates %s from the flags below, a file (--from-file, JSON or YAML, - for
standard input) and --set key=value for fields the CLI does not know. Flags
override the file; --set overrides the file too.

Every documented constraint is checked before anything is sent: a
violation exits 2 naming the field, the value and the rule. Off a terminal,
missing required fields are listed all at once; on a terminal you are asked
for each one.

Required: %s.`, s.Noun.A(), strings.Join(required, ", "))
	if len(secret) > 0 {
		long += "\nSecret, never a flag: " + strings.Join(secret, "; ") + "."
	}
	long += `

The command waits for the action to end (spinner on a terminal), then
prints the new resource. With --no-wait it prints the action id and
returns. With --dry-run the body is printed on standard error (secrets
masked) and the API validates it; nothing is created.

Fields whose key is not in the API documentation are marked "inferred
key"; docs/api-assumptions.md lists them.`
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create " + s.Noun.A(),
		Long:    long,
		Example: s.CreateExample,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return s.runCreate(cmd.Context(), f, opts) },
	}
	opts.register(cmd)
	opts.Body = registerBodyFlags(cmd.Flags(), s.Create.Fields, true)
	return cmd
}

// runCreate checks the flags and assembles the body (usage errors before
// anything is sent; on a terminal missing fields are asked for), sends the
// creation, waits for it and prints the new resource.
func (s *familySpec) runCreate(ctx context.Context, f *Factory, opts *createOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	b, err := opts.Body.build(f)
	if err != nil {
		return err
	}
	ss, err := f.Session(s.Columns)
	if err != nil {
		return err
	}
	if ss.C.DryRun() {
		body.PrintMasked(f.IO.ErrOut, opts.Body.spec, b)
	}
	fam := s.client(ss.C)
	name := fmt.Sprint(b[s.Create.NameKey()])
	err = runChange(ctx, f, ss, opts.waitFlags, change{
		Change: output.Change{Verb: "create", Resource: fmt.Sprintf("%s %q", s.Noun.Singular, name)},
		Do:     func(ctx context.Context) (*api.Accepted, error) { return fam.CreateResource(ctx, b) },
		Done: func(ctx context.Context, acc *api.Accepted) error {
			obj, err := fam.Created(ctx, acc.ResourceID, name)
			if err != nil {
				return fmt.Errorf("%s %q was created, but reading it failed: %w", s.Noun.Singular, name, err)
			}
			return ss.P.PrintObject(obj, s.Columns)
		},
	})
	return err
}
