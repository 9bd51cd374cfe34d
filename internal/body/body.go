// Package body assembles the JSON body of a create request from a file (or
// stdin), --set fields and flags, fills secrets and missing fields, and
// checks it against its declaration in internal/family before anything is
// sent.
package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/family"
	"github.com/itcare-cli/itcare/internal/output"
	"github.com/itcare-cli/itcare/internal/redact"
)

// maxFileSize bounds a body file (or stdin): bodies are a few hundred bytes.
const maxFileSize = 1 << 20

// Options are the sources of a body, later ones overriding earlier ones:
// the file, then --set fields, then flags.
type Options struct {
	FromFile string   // path, "-" for stdin, "" for none
	Sets     []string // key=value; dotted keys nest (a.b=v), values typed like `itcare api -F`
	// Flags holds the values of the field flags that were given, by JSON key.
	Flags map[string]any
	// PasswordStdin reads the body's secret from the first line of stdin.
	PasswordStdin bool
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
}

// UsageError is a body that cannot be built or is invalid: exit 2, nothing
// sent.
type UsageError struct {
	Msg        string
	Violations []family.Violation
}

func (e *UsageError) Error() string {
	if len(e.Violations) == 0 {
		return e.Msg
	}
	var b strings.Builder
	b.WriteString(e.Msg)
	for _, v := range e.Violations {
		b.WriteString("\n  " + v.String())
	}
	return b.String()
}

func usageErrorf(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Assemble builds the body of spec from o, reads its secrets, asks for the
// missing fields when ios can prompt, and checks it. Every violation is
// reported at once; off a terminal the missing fields are listed, not asked.
func Assemble(spec family.Fields, o Options, ios *output.IOStreams) (map[string]any, error) {
	if o.PasswordStdin && o.FromFile == "-" {
		return nil, usageErrorf("--password-stdin and --from-file - both read standard input: use one")
	}
	if o.PasswordStdin && len(spec.Secrets()) == 0 {
		return nil, usageErrorf("--password-stdin: this request has no password")
	}
	body, err := Build(spec, o, ios.In)
	if err != nil {
		return nil, err
	}
	if err := fillSecrets(spec, body, o, ios.In); err != nil {
		return nil, err
	}
	if ios.CanPrompt() {
		if err := askMissing(spec, body, ios); err != nil {
			return nil, err
		}
	}
	// From now on the secrets are masked wherever they would be printed,
	// should a server echo one back (in a resource, a message, an error).
	for _, f := range spec.Secrets() {
		if v, ok := body[f.Key].(string); ok {
			redact.Add(v)
		}
	}
	if vs := spec.Check(body); len(vs) > 0 {
		msg := "invalid request, nothing was sent:"
		if missing := spec.Missing(body); len(missing) == len(vs) {
			msg = "missing required fields, nothing was sent (give them as flags, in --from-file or with --set):"
		}
		return nil, &UsageError{Msg: msg, Violations: withHints(spec, vs)}
	}
	return body, nil
}

// withHints says where a missing secret comes from.
func withHints(spec family.Fields, vs []family.Violation) []family.Violation {
	out := slices.Clone(vs)
	for i, v := range out {
		if f := spec.Field(v.Field); f != nil && f.Secret && v.Value == "" {
			out[i].Rule += fmt.Sprintf(" (a secret: pipe it with --password-stdin or set %s)", f.Env)
		} else if f != nil && v.Value == "" {
			out[i].Rule += " (--" + f.Flag() + ")"
		}
	}
	return out
}

// Build merges the file, the --set fields and the flags into one body, with
// allowed values written as declared (--topology ha sends "HA").
func Build(spec family.Fields, o Options, stdin io.Reader) (map[string]any, error) {
	body := map[string]any{}
	if o.FromFile != "" {
		var err error
		if body, err = readFile(o.FromFile, stdin); err != nil {
			return nil, err
		}
	}
	if len(o.Sets) > 0 {
		setStdin := stdin
		if o.FromFile == "-" || o.PasswordStdin {
			setStdin = nil // already read
		}
		sets, err := parseSets(spec, o.Sets, setStdin)
		if err != nil {
			return nil, err
		}
		merge(body, sets)
	}
	for k, v := range o.Flags {
		body[k] = v
	}
	for i := range spec {
		f := &spec[i]
		if s, ok := body[f.Key].(string); ok && len(f.Values) > 0 {
			body[f.Key] = f.Canonical(s)
		}
	}
	return body, nil
}

// readFile reads a JSON or YAML object from path ("-": stdin).
func readFile(path string, stdin io.Reader) (map[string]any, error) {
	var (
		data []byte
		err  error
		name = path
	)
	if path == "-" {
		name = "standard input"
		if stdin == nil {
			return nil, usageErrorf("--from-file -: no standard input")
		}
		data, err = io.ReadAll(io.LimitReader(stdin, maxFileSize+1))
	} else {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
			f.Close()
		}
	}
	if err != nil {
		return nil, usageErrorf("--from-file: %v", err)
	}
	if len(data) > maxFileSize {
		return nil, usageErrorf("--from-file: %s is larger than %d bytes", name, maxFileSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, usageErrorf("--from-file: %s is empty", name)
	}
	var v any
	if trimmed := bytes.TrimSpace(data); trimmed[0] == '{' {
		err = decodeJSON(data, &v)
	} else {
		err = yaml.Unmarshal(data, &v)
		if err == nil {
			v, err = jsonValue(v)
		}
	}
	if err != nil {
		return nil, usageErrorf("--from-file: %s is not JSON or YAML: %v", name, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, usageErrorf("--from-file: %s must hold one object (key: value pairs)", name)
	}
	return m, nil
}

func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// jsonValue turns what YAML decoded into the values JSON decoding gives
// (maps with string keys, json.Number), by a round trip.
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, decodeJSON(data, &out)
}

// parseSets reads --set key=value fields with the typed-field rules of
// `itcare api -F`; dotted keys nest (a.b=v is a[b]=v there).
func parseSets(spec family.Fields, sets []string, stdin io.Reader) (map[string]any, error) {
	converted := make([]string, len(sets))
	original := map[string]string{}
	for i, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, usageErrorf("invalid --set %q: want key=value", s)
		}
		parts := strings.Split(k, ".")
		if slices.Contains(parts, "") {
			return nil, usageErrorf("invalid --set %q: empty key segment", s)
		}
		if f := spec.Field(parts[0]); f != nil && f.Secret {
			return nil, usageErrorf("--set %s: %s is a secret and is never given on the command line; pipe it with --password-stdin or set %s", parts[0], parts[0], f.Env)
		}
		bracket := parts[0]
		for _, p := range parts[1:] {
			bracket += "[" + p + "]"
		}
		converted[i] = bracket + "=" + v
		original[converted[i]] = s
	}
	fields, err := api.ParseFields(nil, converted, stdin)
	if err != nil {
		var fe *api.FieldError
		if errors.As(err, &fe) {
			return nil, usageErrorf("invalid --set %q: %s", cmpOr(original[fe.Field], fe.Field), fe.Msg)
		}
		return nil, &UsageError{Msg: err.Error()}
	}
	// -F gives integers as int64 and decimals as json.Number: the same
	// values the file decoding gives, once round-tripped.
	v, err := jsonValue(fields)
	if err != nil {
		return nil, &UsageError{Msg: err.Error()}
	}
	return v.(map[string]any), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// merge copies src into dst, merging nested objects.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// fillSecrets reads each secret the body lacks from --password-stdin or its
// environment variable (askMissing asks for it, hidden, on a terminal).
func fillSecrets(spec family.Fields, body map[string]any, o Options, in io.Reader) error {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, f := range spec.Secrets() {
		if !f.IsRequired(body) && !o.PasswordStdin {
			continue
		}
		if s, ok := body[f.Key].(string); ok && s != "" {
			continue // from the file
		}
		switch {
		case o.PasswordStdin:
			s, err := output.ReadSecretLine(in)
			if err != nil {
				return usageErrorf("--password-stdin: %v", err)
			}
			body[f.Key] = s
		case getenv(f.Env) != "":
			body[f.Key] = getenv(f.Env)
		} // else asked with the other missing fields, on a terminal

	}
	return nil
}

// maxTries bounds how often a prompt is asked again after an invalid answer.
const maxTries = 3

// askMissing asks, on a terminal, for every required field the body lacks
// (fields that become required by an answer are asked too).
func askMissing(spec family.Fields, body map[string]any, ios *output.IOStreams) error {
	for asked := map[string]bool{}; ; {
		var next *family.Field
		for _, f := range spec.Missing(body) {
			if !asked[f.Key] {
				next = f
				break
			}
		}
		if next == nil {
			return nil
		}
		asked[next.Key] = true
		v, err := askValue(next, body, ios)
		if err != nil {
			return err
		}
		if v != nil {
			body[next.Key] = v
		}
	}
}

// askValue asks for one field until the answer is valid (at most maxTries
// times); an empty answer leaves the field missing.
func askValue(f *family.Field, body map[string]any, ios *output.IOStreams) (any, error) {
	label := f.Key
	if f.Usage != "" {
		label += " (" + f.Usage + ")"
	}
	switch {
	case len(f.Values) > 0:
		label += " [" + strings.Join(f.Values, "/") + "]"
	case f.Type == family.TypeBoolean:
		label += " [true/false]"
	case f.Example != "":
		label += ", e.g. " + f.Example
	}
	if d := f.Describe(); d != "" && len(f.Values) == 0 {
		label += "; " + d
	}
	label += ": "
	for try := 0; try < maxTries; try++ {
		var (
			answer string
			err    error
		)
		if f.Secret {
			answer, err = output.PromptSecret(ios, label)
		} else {
			answer, err = output.Prompt(ios, label)
		}
		if err != nil {
			return nil, err
		}
		if answer == "" {
			return nil, nil
		}
		v, rule := parseAnswer(f, answer)
		if rule == "" {
			rule = f.CheckValue(v)
		}
		if rule == "" {
			return v, nil
		}
		fmt.Fprintf(ios.ErrOut, "  %s\n", family.Violation{Field: f.Key, Value: f.Display(answer), Rule: rule})
	}
	return nil, usageErrorf("%s: no valid answer after %d tries", f.Key, maxTries)
}

// parseAnswer turns a typed answer (or a flag value) into the field's JSON
// value.
func parseAnswer(f *family.Field, s string) (any, string) {
	switch f.Type {
	case family.TypeInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, "must be an integer"
		}
		return n, ""
	case family.TypeBoolean:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, "must be true or false"
		}
		return b, ""
	case family.TypeArray:
		var l []any
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				l = append(l, p)
			}
		}
		return l, ""
	}
	if len(f.Values) > 0 {
		return f.Canonical(s), ""
	}
	return s, ""
}

// Masked returns a copy of body with its secrets (declared, or named like a
// secret) replaced, for --dry-run and messages.
func Masked(spec family.Fields, body map[string]any) map[string]any {
	out := maps.Clone(body)
	for _, f := range spec.Secrets() {
		if _, ok := out[f.Key]; ok {
			out[f.Key] = family.Masked
		}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return out
	}
	var redacted map[string]any
	if decodeJSON([]byte(api.RedactBody("application/json", data)), &redacted) != nil {
		return out
	}
	return redacted
}

// PrintMasked writes the masked body, indented, to w (stderr) before a dry
// run sends it.
func PrintMasked(w io.Writer, spec family.Fields, body map[string]any) {
	data, _ := json.MarshalIndent(Masked(spec, body), "", "  ")
	fmt.Fprintf(w, "request body:\n%s\n", data)
}

// Flags are the flags of a body's fields, one per non-secret field.
type Flags struct {
	fs   *pflag.FlagSet
	vals map[string]any // key -> pointer to the flag's variable
}

// RegisterFlags adds a flag for each field of spec that is not a secret:
// the kebab-case of its key, typed like the field.
func RegisterFlags(fs *pflag.FlagSet, spec family.Fields) *Flags {
	fl := &Flags{fs: fs, vals: map[string]any{}}
	for i := range spec {
		f := &spec[i]
		if f.Secret || f.Type == family.TypeObject || len(f.Fields) > 0 {
			continue // secrets are never flags; structured values come from --set or a file
		}
		usage := f.Usage
		var notes []string
		if d := f.Describe(); d != "" {
			notes = append(notes, d)
		}
		if f.Example != "" && len(f.Values) == 0 {
			notes = append(notes, "e.g. "+f.Example)
		}
		if f.Required || f.RequiredIf != nil {
			notes = append(notes, f.RequiredText())
		}
		if f.Source == family.Inferred {
			notes = append(notes, "inferred key")
		}
		if len(notes) > 0 {
			usage += " (" + strings.Join(notes, "; ") + ")"
		}
		switch f.Type {
		case family.TypeInteger:
			fl.vals[f.Key] = fs.Int64(f.Flag(), 0, usage)
		case family.TypeBoolean:
			fl.vals[f.Key] = fs.Bool(f.Flag(), false, usage)
		case family.TypeArray:
			fl.vals[f.Key] = fs.StringSlice(f.Flag(), nil, usage)
		default:
			fl.vals[f.Key] = fs.String(f.Flag(), "", usage)
		}
	}
	return fl
}

// Values returns the values of the flags that were given, by JSON key.
func (fl *Flags) Values() map[string]any {
	out := map[string]any{}
	for key, p := range fl.vals {
		if !fl.fs.Changed(family.KebabCase(key)) {
			continue
		}
		switch v := p.(type) {
		case *int64:
			out[key] = *v
		case *bool:
			out[key] = *v
		case *[]string:
			l := make([]any, len(*v))
			for i, s := range *v {
				l[i] = s
			}
			out[key] = l
		case *string:
			out[key] = *v
		}
	}
	return out
}
