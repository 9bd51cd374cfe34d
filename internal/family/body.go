package family

// Request bodies checked against their declaration: the body of a create
// (Family.Create), the options of an operation (Operation.Options), the
// body of a sub-resource (Sub.Body). The CLI derives its flags, prompts
// and client-side checks from the fields, and the sandbox its 400 answers.

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Field types (Field.Type). An array without Fields is a list of strings;
// "" accepts any JSON value.
const (
	TypeString  = "string"
	TypeInteger = "integer"
	TypeBoolean = "boolean"
	TypeArray   = "array"
	TypeObject  = "object"
	TypeAny     = ""
)

// CharClass is a kind of character a value must contain at least one of.
type CharClass int

const (
	Lower CharClass = iota
	Upper
	Digit
	Special // anything but a letter, a digit or a space
)

func (c CharClass) String() string {
	return [...]string{"a lowercase letter", "an uppercase letter", "a digit", "a special character"}[c]
}

func (c CharClass) in(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		switch c {
		case Lower:
			return unicode.IsLower(r)
		case Upper:
			return unicode.IsUpper(r)
		case Digit:
			return unicode.IsDigit(r)
		}
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r)
	})
}

// Condition is "field Key equals Value" (compared as sent).
type Condition struct{ Key, Value string }

// Fields is a request body (or the options of an operation).
type Fields []Field

// Flag is the flag name of a field: the kebab-case of its key.
func (f *Field) Flag() string { return KebabCase(f.Key) }

// KebabCase turns a JSON key into a flag name: serviceId -> service-id,
// setUpDNSEnabled -> set-up-dns-enabled.
func KebabCase(key string) string {
	rs := []rune(key)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			afterLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			endsAcronym := i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if afterLower || endsAcronym {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Field returns the field with that key, or nil.
func (fs Fields) Field(key string) *Field {
	for i := range fs {
		if fs[i].Key == key {
			return &fs[i]
		}
	}
	return nil
}

// Secrets returns the secret fields.
func (fs Fields) Secrets() []*Field {
	var out []*Field
	for i := range fs {
		if fs[i].Secret {
			out = append(out, &fs[i])
		}
	}
	return out
}

// Violation is one broken rule: the field, the value (masked for secrets,
// "" when missing) and the rule.
type Violation struct {
	Field string
	Value string
	Rule  string
}

func (v Violation) String() string {
	if v.Value == "" {
		return fmt.Sprintf("%s: %s", v.Field, v.Rule)
	}
	return fmt.Sprintf("%s %s: %s", v.Field, v.Value, v.Rule)
}

// Masked replaces a secret in messages and printed bodies.
const Masked = "[REDACTED]"

// IsRequired reports whether the field is required in body.
func (f *Field) IsRequired(body map[string]any) bool {
	if f.Required {
		return true
	}
	if c := f.RequiredIf; c != nil {
		v, ok := body[c.Key].(string)
		return ok && v == c.Value
	}
	return false
}

// RequiredText says why a field is required, for messages.
func (f *Field) RequiredText() string {
	if c := f.RequiredIf; c != nil && !f.Required {
		return fmt.Sprintf("required when %s is %s", c.Key, c.Value)
	}
	return "required"
}

// Missing returns the required fields body lacks (absent, null or empty).
func (fs Fields) Missing(body map[string]any) []*Field {
	var out []*Field
	for i := range fs {
		f := &fs[i]
		if f.IsRequired(body) && isEmpty(body[f.Key]) {
			out = append(out, f)
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	}
	return false
}

// Check returns every violation of body: the missing required fields, then
// each present field against its declaration, in declaration order. Keys
// that are not declared are not checked (the API may know more than the
// CLI).
func (fs Fields) Check(body map[string]any) []Violation {
	var out []Violation
	for _, f := range fs.Missing(body) {
		out = append(out, Violation{Field: f.Key, Rule: f.RequiredText()})
	}
	for i := range fs {
		f := &fs[i]
		if v, ok := body[f.Key]; ok && !isEmpty(v) {
			if rule := f.CheckValue(v); rule != "" {
				out = append(out, Violation{Field: f.Key, Value: f.Display(v), Rule: rule})
			}
		}
	}
	return out
}

// Display shows a value in a message: quoted strings, masked secrets.
func (f *Field) Display(v any) string {
	if f.Secret {
		return Masked
	}
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// CheckValue checks one present value and returns the broken rule, or "".
func (f *Field) CheckValue(v any) string {
	switch f.Type {
	case TypeInteger:
		n, ok := IntValue(v)
		if !ok {
			return "must be an integer"
		}
		if f.Min != 0 || f.Max != 0 {
			if int64(f.Min) > n || (f.Max != 0 && n > int64(f.Max)) {
				return "must be " + f.rangeText()
			}
		}
		return f.checkValues(strconv.FormatInt(n, 10))
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case TypeObject:
		if _, ok := v.(map[string]any); !ok {
			return "must be an object"
		}
	case TypeArray:
		l, ok := v.([]any)
		if !ok {
			return "must be a list"
		}
		for _, e := range l {
			if len(f.Fields) > 0 {
				m, ok := e.(map[string]any)
				if !ok {
					return "each item must be an object"
				}
				if vs := Fields(f.Fields).Check(m); len(vs) > 0 {
					return "item " + vs[0].String()
				}
				continue
			}
			s, ok := e.(string)
			if !ok {
				return "must be a list of strings"
			}
			if rule := f.checkString(s); rule != "" {
				return "each item " + rule
			}
		}
	case TypeString:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		return f.checkString(s)
	}
	return ""
}

func (f *Field) rangeText() string {
	if f.Max == 0 {
		return fmt.Sprintf("at least %d", f.Min)
	}
	return fmt.Sprintf("between %d and %d", f.Min, f.Max)
}

func (f *Field) lengthText() string {
	switch {
	case f.MinLen > 0 && f.MaxLen > 0:
		return fmt.Sprintf("%d to %d characters long", f.MinLen, f.MaxLen)
	case f.MaxLen > 0:
		return fmt.Sprintf("at most %d characters long", f.MaxLen)
	case f.MinLen > 0:
		return fmt.Sprintf("at least %d characters long", f.MinLen)
	}
	return ""
}

var patterns sync.Map // pattern -> *regexp.Regexp

func compiled(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(p)
	patterns.Store(p, re)
	return re
}

func (f *Field) checkString(s string) string {
	if n := len([]rune(s)); n < f.MinLen || (f.MaxLen > 0 && n > f.MaxLen) {
		return fmt.Sprintf("must be %s (has %d)", f.lengthText(), n)
	}
	if f.Pattern != "" && !compiled(f.Pattern).MatchString(s) {
		return "must be " + cmpOr(f.PatternText, "matching "+f.Pattern)
	}
	if slices.Contains(f.Forbidden, s) {
		return fmt.Sprintf("must not be %q", s)
	}
	var lacks []string
	for _, c := range f.Classes {
		if !c.in(s) {
			lacks = append(lacks, c.String())
		}
	}
	if len(lacks) > 0 {
		return "must contain " + joinAnd(lacks)
	}
	return f.checkValues(s)
}

func (f *Field) checkValues(s string) string {
	if len(f.Values) > 0 && !slices.Contains(f.Values, s) {
		return "must be one of " + strings.Join(f.Values, ", ")
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func joinAnd(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Canonical returns the allowed value s stands for, matched
// case-insensitively ("ha" -> "HA"), or s unchanged.
func (f *Field) Canonical(s string) string {
	for _, v := range f.Values {
		if strings.EqualFold(v, s) {
			return v
		}
	}
	return s
}

// IntValue reads an integer sent as a JSON number (any Go numeric type or
// json.Number without a fraction).
func IntValue(v any) (int64, bool) {
	var fl float64
	switch t := v.(type) {
	case int:
		return int64(t), true
	case int64:
		return t, true
	case float64:
		fl = t
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, true
		}
		var err error
		if fl, err = t.Float64(); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if fl == math.Trunc(fl) && math.Abs(fl) < 1<<53 {
		return int64(fl), true
	}
	return 0, false
}

// Describe lists the documented constraints of a field in words, for help
// text, prompts and docs: "5 to 60 characters long; lowercase letters and
// digits; not \"cluster\"".
func (f *Field) Describe() string {
	var parts []string
	if len(f.Values) > 0 {
		parts = append(parts, strings.Join(f.Values, "|"))
	}
	if f.Min != 0 || f.Max != 0 {
		parts = append(parts, f.rangeText())
	}
	if t := f.lengthText(); t != "" {
		parts = append(parts, t)
	}
	if f.PatternText != "" {
		parts = append(parts, f.PatternText)
	}
	for _, x := range f.Forbidden {
		parts = append(parts, fmt.Sprintf("not %q", x))
	}
	if len(f.Classes) > 0 {
		var cs []string
		for _, c := range f.Classes {
			cs = append(cs, c.String())
		}
		parts = append(parts, "with "+joinAnd(cs))
	}
	return strings.Join(parts, "; ")
}

// TypeText names a field's type for docs.
func (f *Field) TypeText() string {
	switch {
	case f.Type == TypeAny:
		return "any"
	case f.Type == TypeArray && len(f.Fields) == 0:
		return "list of strings"
	}
	return f.Type
}
