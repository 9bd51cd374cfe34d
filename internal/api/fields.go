package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// FieldError is a malformed -f/-F field (a usage error).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return fmt.Sprintf("invalid field %q: %s", e.Field, e.Msg) }

// ParseFields builds the parameters of `itcare api` from -f (raw string) and
// -F (typed) fields, in the order given. Keys may be nested (a[b]=v) and
// arrays (a[]=v). Typed values: true, false, null, integers and decimals
// become JSON values; @file reads the value from a file and @- from stdin.
func ParseFields(raw, typed []string, stdin io.Reader) (map[string]any, error) {
	params := map[string]any{}
	stdinUsed := false
	for _, f := range raw {
		k, v, err := splitField(f)
		if err != nil {
			return nil, err
		}
		if err := setNested(params, f, k, v); err != nil {
			return nil, err
		}
	}
	for _, f := range typed {
		k, v, err := splitField(f)
		if err != nil {
			return nil, err
		}
		val, err := typedValue(f, v, stdin, &stdinUsed)
		if err != nil {
			return nil, err
		}
		if err := setNested(params, f, k, val); err != nil {
			return nil, err
		}
	}
	return params, nil
}

func splitField(f string) (string, string, error) {
	k, v, ok := strings.Cut(f, "=")
	if !ok {
		return "", "", &FieldError{Field: f, Msg: "want key=value"}
	}
	if k == "" {
		return "", "", &FieldError{Field: f, Msg: "empty key"}
	}
	return k, v, nil
}

// jsonNumberRE is JSON's number grammar: no leading zeros, no sign but '-'.
var jsonNumberRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`) })

func typedValue(field, v string, stdin io.Reader, stdinUsed *bool) (any, error) {
	switch {
	case v == "true":
		return true, nil
	case v == "false":
		return false, nil
	case v == "null":
		return nil, nil
	case strings.HasPrefix(v, "@"):
		var (
			data []byte
			err  error
		)
		if v == "@-" {
			if *stdinUsed {
				return nil, &FieldError{Field: field, Msg: "standard input can be read only once"}
			}
			*stdinUsed = true
			if stdin == nil {
				return nil, &FieldError{Field: field, Msg: "no standard input"}
			}
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(v[1:])
		}
		if err != nil {
			return nil, &FieldError{Field: field, Msg: err.Error()}
		}
		return strings.TrimSuffix(string(data), "\n"), nil
	}
	if !jsonNumberRE().MatchString(v) {
		// Not a JSON number (01, +1, 0x10, 1_000, Inf...): sent as written.
		return v, nil
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i, nil
	}
	if strings.ContainsAny(v, ".eE") {
		if fl, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN") {
			return json.Number(strconv.FormatFloat(fl, 'f', -1, 64)), nil
		}
	}
	return v, nil
}

// setNested assigns value at a key path such as a, a[b], a[b][c], a[] or a[b][].
func setNested(root map[string]any, field, key string, value any) error {
	parts, isArray, err := keyPath(key)
	if err != nil {
		return &FieldError{Field: field, Msg: err.Error()}
	}
	m := root
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok {
			child := map[string]any{}
			m[p] = child
			m = child
			continue
		}
		child, ok := next.(map[string]any)
		if !ok {
			return &FieldError{Field: field, Msg: fmt.Sprintf("%q is already set to a value, not an object", p)}
		}
		m = child
	}
	last := parts[len(parts)-1]
	if isArray {
		cur, ok := m[last]
		if !ok {
			m[last] = []any{value}
			return nil
		}
		arr, ok := cur.([]any)
		if !ok {
			return &FieldError{Field: field, Msg: fmt.Sprintf("%q is already set to a value, not an array", last)}
		}
		m[last] = append(arr, value)
		return nil
	}
	if _, exists := m[last]; exists {
		return &FieldError{Field: field, Msg: fmt.Sprintf("%q is given twice (use %s[]=v for an array)", last, last)}
	}
	m[last] = value
	return nil
}

func keyPath(key string) ([]string, bool, error) {
	name, rest, bracket := strings.Cut(key, "[")
	if name == "" {
		return nil, false, fmt.Errorf("empty key")
	}
	parts := []string{name}
	isArray := false
	if rest == "" {
		if bracket || strings.ContainsAny(key, "]") {
			return nil, false, fmt.Errorf("unbalanced brackets")
		}
		return parts, false, nil
	}
	rest = "[" + rest
	for rest != "" {
		if isArray {
			return nil, false, fmt.Errorf("[] must come last")
		}
		if rest[0] != '[' {
			return nil, false, fmt.Errorf("unexpected %q", rest)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, false, fmt.Errorf("unbalanced brackets")
		}
		seg := rest[1:end]
		rest = rest[end+1:]
		if seg == "" {
			isArray = true
			continue
		}
		if strings.ContainsAny(seg, "[") {
			return nil, false, fmt.Errorf("unbalanced brackets")
		}
		parts = append(parts, seg)
	}
	return parts, isArray, nil
}

// FieldsToQuery flattens parameters into query values: arrays become
// repeated parameters (names=a&names=b, as Spring reads them), nested objects
// dotted keys (a.b=v, Spring's nested binding), null an empty value.
func FieldsToQuery(params map[string]any) url.Values {
	q := url.Values{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, t[k])
			}
		case []any:
			for _, e := range t {
				walk(prefix, e)
			}
		case nil:
			q.Add(prefix, "")
		default:
			q.Add(prefix, fmt.Sprint(t))
		}
	}
	walk("", params)
	return q
}
