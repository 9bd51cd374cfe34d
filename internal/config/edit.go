package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/itcare-cli/itcare/internal/api"
	"github.com/itcare-cli/itcare/internal/atomicfile"
	"github.com/itcare-cli/itcare/internal/output"
)

// KeyDefaultProfile is the config file's top-level key naming the profile
// used without -p or ITCARE_PROFILE.
const KeyDefaultProfile = "default-profile"

// SetCheck sets the check of the option declared under key, for checks
// that live in packages which import this one (the auth URL rules are
// internal/auth's).
func SetCheck(key string, check func(string) error) {
	for i := range Options {
		if Options[i].Key == key {
			Options[i].Check = check
		}
	}
}

func checkAPIURL(s string) error { _, err := api.ParseBaseURL(s); return err }

func checkOutput(s string) error { _, err := output.ParseFormat(s); return err }

// FileOption returns the option declared under key when a profile's section
// of the config file may hold it, else an error listing the valid keys.
func FileOption(key string) (Option, error) {
	o, ok := Lookup(key)
	if !ok || !o.InFile {
		return Option{}, fmt.Errorf("unknown setting %q: valid ones are %s", key, strings.Join(fileKeys(), ", "))
	}
	return o, nil
}

// Normalize checks value as the flag --KEY would take it and returns the
// form to write in the config file.
func (o Option) Normalize(value string) (string, error) {
	switch o.Kind {
	case Bool:
		b, err := parseBool(o.Key, value)
		if err != nil {
			return "", err
		}
		value = fmt.Sprint(b)
	case Duration:
		if _, err := parseDuration(o.Key, value); err != nil {
			return "", err
		}
		value = strings.TrimSpace(value)
	case Int:
		n, err := parsePositiveInt(o.Key, value)
		if err != nil {
			return "", err
		}
		value = fmt.Sprint(n)
	default:
		value = strings.TrimSpace(value)
	}
	if o.Check != nil {
		if err := o.Check(value); err != nil {
			return "", fmt.Errorf("invalid value for %s: %w", o.Key, err)
		}
	}
	return value, nil
}

// SetValue sets key to value in profile's section of the config file at
// path (created if missing). The value must have been checked by Normalize.
// The rest of the file, its comments included, is kept; the file is
// replaced atomically.
func SetValue(path, profile, key, value string, kind Kind) error {
	return editFile(path, func(root *yaml.Node) (bool, error) {
		section, err := mappingAt(root, true, "profiles", profile)
		if err != nil {
			return false, err
		}
		setScalar(section, key, value, kind)
		return true, nil
	})
}

// UnsetValue removes key from profile's section of the config file at path.
// It reports whether the key was there.
func UnsetValue(path, profile, key string) (bool, error) {
	var found bool
	err := editFile(path, func(root *yaml.Node) (bool, error) {
		section, err := mappingAt(root, false, "profiles", profile)
		found = err == nil && section != nil && removeKey(section, key)
		return found, err
	})
	return found, err
}

// SetDefaultProfile writes the profile used without -p or ITCARE_PROFILE to
// the config file at path.
func SetDefaultProfile(path, profile string) error {
	if err := ValidProfile(profile); err != nil {
		return err
	}
	return editFile(path, func(root *yaml.Node) (bool, error) {
		setScalar(root, KeyDefaultProfile, profile, String)
		return true, nil
	})
}

// editFile parses the config file into a node tree (an empty document if
// the file does not exist), lets edit change the root mapping, and writes
// the result back atomically when edit reports a change.
func editFile(path string, edit func(root *yaml.Node) (bool, error)) error {
	// The checks of every read first: a regular file, bounded, valid, known
	// keys only. A file itcare would refuse to read is not rewritten.
	if _, _, err := ReadFile(path); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading config file: %w", err)
	}
	perm := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("config file %s is not valid YAML: %w", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s: the top level is not a mapping", path)
	}
	root := doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 {
		root.Style = 0
	}
	changed, err := edit(root)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if !changed {
		return nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), perm)
}

// mappingAt returns the mapping under the keys path of m, creating the
// missing ones when create is set (else nil). A key that holds something
// else than a mapping is an error: it is not replaced.
func mappingAt(m *yaml.Node, create bool, path ...string) (*yaml.Node, error) {
	for _, key := range path {
		next := valueOf(m, key)
		switch {
		case next == nil && !create:
			return nil, nil
		case next == nil:
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, next)
		case next.Kind == yaml.ScalarNode && next.Tag == "!!null":
			*next = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		case next.Kind != yaml.MappingNode:
			return nil, fmt.Errorf("%s (line %d) is not a mapping: fix the config file by hand", key, next.Line)
		}
		if next.Style&yaml.FlowStyle != 0 {
			next.Style = 0
		}
		m = next
	}
	return m, nil
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setScalar(m *yaml.Node, key, value string, kind Kind) {
	tag := "!!str"
	switch kind {
	case Bool:
		tag = "!!bool"
	case Int:
		tag = "!!int"
	}
	if n := valueOf(m, key); n != nil {
		comment := n.LineComment
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value, LineComment: comment}
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
}

func removeKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
	}
	return false
}
