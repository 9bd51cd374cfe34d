package family

// Request bodies (create a resource, add a sub-resource): each field is
// declared once, with its JSON key, type, whether it is required, its
// allowed values and its documented constraints. The CLI derives its flags,
// prompts and client-side checks from the declaration, and the sandbox its
// 400 answers.

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// FieldType is the JSON type of a body field.
type FieldType int

const (
	String FieldType = iota
	Int
	Bool
	StringList // an array of strings (a flag takes comma-separated values)
	Any        // any JSON value; a flag sends a string
)

func (t FieldType) String() string {
	switch t {
	case Int:
		return "integer"
	case Bool:
		return "boolean"
	case StringList:
		return "list of strings"
	case Any:
		return "value"
	}
	return "string"
}

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

func (c CharClass) has(s string) bool {
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

// Range bounds an integer field (both ends included; Max 0: no upper bound).
type Range struct{ Min, Max int64 }

func (r *Range) contains(n int64) bool { return n >= r.Min && (r.Max == 0 || n <= r.Max) }

func (r *Range) String() string {
	if r.Max == 0 {
		return fmt.Sprintf("at least %d", r.Min)
	}
	return fmt.Sprintf("between %d and %d", r.Min, r.Max)
}

// Condition is "field Key equals Value" (compared case-sensitively, as sent).
type Condition struct{ Key, Value string }

// BodyField is one field of a request body.
type BodyField struct {
	Key      string // JSON key; the flag is its kebab-case (serviceId -> --service-id)
	Type     FieldType
	Usage    string // flag help, e.g. "service id"
	Example  string // shown in prompts and help, e.g. "2cpu4gb"
	Required bool
	// RequiredIf makes the field required when another field has a value
	// (PostgreSQL: nodePrefix when topology is HA).
	RequiredIf *Condition
	Enum       []string // allowed values (exact; the CLI maps any case onto them)
	Range      *Range   // integers
	MinLen     int      // strings, in characters
	MaxLen     int      // strings, in characters; 0 = no limit
	Pattern    string   // strings: a regular expression the whole value must match
	// PatternText says the pattern in words for messages ("lowercase letters and digits").
	PatternText string
	Forbidden   []string    // values refused (PostgreSQL: name "cluster")
	Classes     []CharClass // strings: must contain one of each
	// Secret fields never come from a flag or --set; the CLI reads them from
	// Env, --password-stdin or a hidden prompt, and masks them everywhere.
	Secret bool
	Env    string // environment variable of a secret, e.g. ITCARE_ADM_PASSWORD
	// Inferred is set when the key (or its type) is not in the documentation;
	// Source says where the fact comes from or what was inferred.
	Inferred bool
	Source   string
}

// Flag is the flag name of the field: the kebab-case of its key.
func (f *BodyField) Flag() string { return KebabCase(f.Key) }

// KebabCase turns a JSON key into a flag name: serviceId -> service-id,
// setUpDNSEnabled -> set-up-dns-enabled.
func KebabCase(key string) string {
	rs := []rune(key)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1]) && i > 0 && unicode.IsUpper(rs[i-1])
			if i > 0 && (prevLower || nextLower) {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Body is the declaration of a request body.
type Body struct {
	Fields []BodyField
	// Source says where the body is documented (shown in docs).
	Source string
	// Name is the key that names the new resource, unique in its family
	// ("" means "name"; a load balancer is named by its url).
	Name string
}

// NameKey is the key that names the new resource.
func (b *Body) NameKey() string {
	if b.Name == "" {
		return "name"
	}
	return b.Name
}

// Field returns the declared field with that key, or nil.
func (b *Body) Field(key string) *BodyField {
	for i := range b.Fields {
		if b.Fields[i].Key == key {
			return &b.Fields[i]
		}
	}
	return nil
}

// Secrets returns the secret fields.
func (b *Body) Secrets() []*BodyField {
	var out []*BodyField
	for i := range b.Fields {
		if b.Fields[i].Secret {
			out = append(out, &b.Fields[i])
		}
	}
	return out
}

// Violation is one broken rule: the field, the value (masked for secrets)
// and the rule.
type Violation struct {
	Field string
	Value string // "" when the field is missing
	Rule  string
}

func (v Violation) String() string {
	if v.Value == "" {
		return fmt.Sprintf("%s: %s", v.Field, v.Rule)
	}
	return fmt.Sprintf("%s %s: %s", v.Field, v.Value, v.Rule)
}

// MaskedValue replaces a secret in messages and printed bodies.
const MaskedValue = "[REDACTED]"

// IsRequired reports whether the field is required in body.
func (f *BodyField) IsRequired(body map[string]any) bool {
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
func (f *BodyField) RequiredText() string {
	if c := f.RequiredIf; c != nil && !f.Required {
		return fmt.Sprintf("required when %s is %s", c.Key, c.Value)
	}
	return "required"
}

// Missing returns the required fields body lacks (absent, null or "").
func (b *Body) Missing(body map[string]any) []*BodyField {
	var out []*BodyField
	for i := range b.Fields {
		f := &b.Fields[i]
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

// Check returns every violation of body: missing required fields, then each
// present field against its declaration, in declaration order. Fields that
// are not declared are not checked (the API may know more than the CLI).
func (b *Body) Check(body map[string]any) []Violation {
	var out []Violation
	for _, f := range b.Missing(body) {
		out = append(out, Violation{Field: f.Key, Rule: f.RequiredText()})
	}
	for i := range b.Fields {
		f := &b.Fields[i]
		v, ok := body[f.Key]
		if !ok || isEmpty(v) {
			continue
		}
		if rule := f.CheckValue(v); rule != "" {
			out = append(out, Violation{Field: f.Key, Value: f.Display(v), Rule: rule})
		}
	}
	return out
}

// Display shows a value in a message: quoted strings, masked secrets.
func (f *BodyField) Display(v any) string {
	if f.Secret {
		return MaskedValue
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
func (f *BodyField) CheckValue(v any) string {
	switch f.Type {
	case Int:
		n, ok := IntValue(v)
		if !ok {
			return "must be an integer"
		}
		if r := f.Range; r != nil && !r.contains(n) {
			return "must be " + r.String()
		}
		return f.checkEnum(strconv.FormatInt(n, 10))
	case Bool:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case StringList:
		l, ok := v.([]any)
		if !ok {
			return "must be a list of strings"
		}
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return "must be a list of strings"
			}
			if rule := f.checkString(s); rule != "" {
				return "each item " + rule
			}
		}
	case String:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		return f.checkString(s)
	}
	return ""
}

func (f *BodyField) checkString(s string) string {
	n := len([]rune(s))
	switch {
	case f.MaxLen > 0 && (n < f.MinLen || n > f.MaxLen) && f.MinLen > 0:
		return fmt.Sprintf("must be %d to %d characters long (has %d)", f.MinLen, f.MaxLen, n)
	case f.MaxLen > 0 && n > f.MaxLen:
		return fmt.Sprintf("must be at most %d characters long (has %d)", f.MaxLen, n)
	case n < f.MinLen:
		return fmt.Sprintf("must be at least %d characters long (has %d)", f.MinLen, n)
	}
	if f.Pattern != "" && !regexp.MustCompile(`^(?:`+f.Pattern+`)$`).MatchString(s) {
		what := f.PatternText
		if what == "" {
			what = "the pattern " + f.Pattern
		}
		return "must be " + what
	}
	if slices.Contains(f.Forbidden, s) {
		return fmt.Sprintf("must not be %q", s)
	}
	var lacks []string
	for _, c := range f.Classes {
		if !c.has(s) {
			lacks = append(lacks, c.String())
		}
	}
	if len(lacks) > 0 {
		return "must contain " + joinAnd(lacks)
	}
	return f.checkEnum(s)
}

func (f *BodyField) checkEnum(s string) string {
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
		return "must be one of " + strings.Join(f.Enum, ", ")
	}
	return ""
}

func joinAnd(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// CanonicalEnum returns the allowed value s stands for, matched
// case-insensitively ("ha" -> "HA"), or s unchanged.
func (f *BodyField) CanonicalEnum(s string) string {
	for _, e := range f.Enum {
		if strings.EqualFold(e, s) {
			return e
		}
	}
	return s
}

// IntValue reads an integer sent as a JSON number (any Go numeric type or
// json.Number without a fraction).
func IntValue(v any) (int64, bool) {
	switch t := v.(type) {
	case int:
		return int64(t), true
	case int64:
		return t, true
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t), true
		}
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, true
		}
		if fl, err := t.Float64(); err == nil && fl == math.Trunc(fl) && math.Abs(fl) < 1<<53 {
			return int64(fl), true
		}
	}
	return 0, false
}

// Describe lists the documented constraints of a field in words, for help
// text and prompts: "5 to 60 characters; lowercase letters and digits; not \"cluster\"".
func (f *BodyField) Describe() string {
	var parts []string
	if len(f.Enum) > 0 {
		parts = append(parts, strings.Join(f.Enum, "|"))
	}
	if r := f.Range; r != nil {
		parts = append(parts, r.String())
	}
	switch {
	case f.MinLen > 0 && f.MaxLen > 0:
		parts = append(parts, fmt.Sprintf("%d-%d characters", f.MinLen, f.MaxLen))
	case f.MinLen > 0:
		parts = append(parts, fmt.Sprintf("at least %d characters", f.MinLen))
	case f.MaxLen > 0:
		parts = append(parts, fmt.Sprintf("at most %d characters", f.MaxLen))
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
