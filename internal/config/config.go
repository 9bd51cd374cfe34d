// Package config resolves the settings of one invocation from flags,
// environment variables, the profile's section of the config file and
// defaults, in that order of precedence. Every setting is declared once in
// Options; the root command's global flags, the environment variable names and
// the config keys all come from that table.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Kind is the type of an option's value.
type Kind int

const (
	String Kind = iota
	Bool
	Duration
	Int
)

// Option declares one setting.
type Option struct {
	Key       string // config key and flag name, e.g. "api-url"
	Shorthand string
	Env       string // e.g. ITCARE_API_URL
	Default   string
	Kind      Kind
	Usage     string
	InFile    bool // may be set in the config file's profile section
	Hidden    bool
	// Check validates a value beyond its Kind, as the command using it
	// would (nil: any value of the Kind).
	Check func(value string) error
}

// Keys of the options.
const (
	KeyAPIURL  = "api-url"
	KeyAuthURL = "auth-url"
	KeyProfile = "profile"
	KeyOutput  = "output"
	KeyDryRun  = "dry-run"
	KeyDebug   = "debug"
	KeyNoColor = "no-color"
	KeyConfig  = "config"
	KeyTimeout = "timeout"
	// Bounds of one listing (list --all, api --paginate).
	KeyMaxItems   = "max-items"
	KeyMaxListMiB = "max-list-mib"
)

// Defaults of the real service.
const (
	DefaultAPIURL  = "https://api.cegedim.cloud/itcare"
	DefaultAuthURL = "https://accounts.cegedim.cloud/auth/realms/cloud"
)

// Options is the one table of global settings.
var Options = []Option{
	{Key: KeyAPIURL, Env: "ITCARE_API_URL", Default: DefaultAPIURL, InFile: true, Usage: "ITCare API base URL", Check: checkAPIURL},
	{Key: KeyAuthURL, Env: "ITCARE_AUTH_URL", Default: DefaultAuthURL, InFile: true, Usage: "OIDC issuer URL (Keycloak realm) used to get tokens"},
	{Key: KeyProfile, Shorthand: "p", Env: "ITCARE_PROFILE", Default: "default", Usage: "configuration profile to use"},
	{Key: KeyOutput, Shorthand: "o", Env: "ITCARE_OUTPUT", InFile: true, Usage: "output format: table, wide, json, yaml, columns=COL,..., template=GO-TEMPLATE, csv", Check: checkOutput},
	{Key: KeyDryRun, Env: "ITCARE_DRY_RUN", Default: "false", Kind: Bool, InFile: true, Usage: "ask the API to validate changes without doing them (ITCare-DryRun: true)"},
	{Key: KeyDebug, Env: "ITCARE_DEBUG", Default: "false", Kind: Bool, InFile: true, Usage: "trace HTTP requests and decisions on stderr (secrets redacted)"},
	{Key: KeyNoColor, Env: "ITCARE_NO_COLOR", Default: "false", Kind: Bool, InFile: true, Usage: "disable colour (also NO_COLOR)"},
	{Key: KeyConfig, Env: "ITCARE_CONFIG", Usage: "config file (default " + displayDefaultConfig() + ")"},
	{Key: KeyTimeout, Env: "ITCARE_TIMEOUT", Default: "30s", Kind: Duration, InFile: true, Usage: "timeout of one HTTP request"},
	{Key: KeyMaxItems, Env: "ITCARE_MAX_ITEMS", Default: "100000", Kind: Int, InFile: true, Usage: "most items one listing (--all, --paginate) may return"},
	{Key: KeyMaxListMiB, Env: "ITCARE_MAX_LIST_MIB", Default: "256", Kind: Int, InFile: true, Usage: "most MiB of answers one listing (--all, --paginate) may read"},
}

// Lookup returns the option declared under key.
func Lookup(key string) (Option, bool) {
	for _, o := range Options {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

// RegisterFlags adds every option as a persistent flag.
func RegisterFlags(fs *pflag.FlagSet) {
	for _, o := range Options {
		switch o.Kind {
		case Bool:
			fs.BoolP(o.Key, o.Shorthand, o.Default == "true", o.Usage)
		case Duration:
			d, _ := time.ParseDuration(o.Default)
			fs.DurationP(o.Key, o.Shorthand, d, o.Usage)
		case Int:
			n, _ := strconv.Atoi(o.Default)
			fs.IntP(o.Key, o.Shorthand, n, o.Usage)
		default:
			fs.StringP(o.Key, o.Shorthand, o.Default, o.Usage)
		}
		if o.Hidden {
			_ = fs.MarkHidden(o.Key)
		}
		_ = fs.SetAnnotation(o.Key, globalAnnotation, []string{"true"})
	}
}

// Config is the resolved settings of one invocation.
type Config struct {
	Profile    string
	APIURL     string
	AuthURL    string
	Output     string
	DryRun     bool
	Debug      bool
	NoColor    bool
	Timeout    time.Duration
	MaxItems   int               // items in one listing
	MaxListMiB int               // MiB of answers in one listing
	File       string            // the config file read (it may not exist)
	FileExists bool              // whether it existed
	Dir        string            // where credentials and tokens are kept: the config file's folder
	Sources    map[string]string // key → "flag", "env", "file" or "default"
	Values     map[string]string // key → the effective value, as text
}

// profileName reports whether name is 1 to 64 letters, digits, '-' and '_',
// starting with a letter or digit.
func profileName(name string) bool {
	return SafeName(name) && name[0] != '-' && name[0] != '_'
}

// SafeName reports whether s may stand in a file name of the config folder:
// 1 to 64 letters, digits, '-' and '_'. (A loop, not a regular expression:
// the expression's {0,63} compiled at start-up cost every command 3 million
// instructions, most of `itcare version`.)
func SafeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidProfile reports whether name can be used as a profile name.
func ValidProfile(name string) error {
	if !profileName(name) {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '-' and '_' (at most 64)", name)
	}
	return nil
}

// DefaultDir is os.UserConfigDir()/itcare.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory: %w (set ITCARE_CONFIG)", err)
	}
	return filepath.Join(d, "itcare"), nil
}

func displayDefaultConfig() string {
	if d, err := DefaultDir(); err == nil {
		return filepath.Join(d, "config.yaml")
	}
	return "$XDG_CONFIG_HOME/itcare/config.yaml"
}

// File is the config file's shape: one section per profile.
//
//	profiles:
//	  default:
//	    api-url: https://api.cegedim.cloud/itcare
//	    output: table
type File struct {
	// DefaultProfile is the profile used without -p or ITCARE_PROFILE
	// (set by `itcare auth switch`).
	DefaultProfile string                    `yaml:"default-profile,omitempty"`
	Profiles       map[string]map[string]any `yaml:"profiles"`
}

// MaxFileBytes bounds the config file: it holds a few settings per profile.
const MaxFileBytes = 1 << 20

// ReadFile reads a config file; a missing file is an empty one. Only a
// regular file of at most MaxFileBytes is read (a FIFO or a device given as
// --config would block or never end); unknown keys are errors at every level.
func ReadFile(path string) (*File, bool, error) {
	fd, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading config file: %w", err)
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("reading config file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, true, fmt.Errorf("config file %s is not a regular file", path)
	}
	if fi.Size() > MaxFileBytes {
		return nil, true, fmt.Errorf("config file %s is larger than %d KiB", path, MaxFileBytes>>10)
	}
	data, err := io.ReadAll(io.LimitReader(fd, MaxFileBytes+1))
	if err != nil {
		return nil, true, fmt.Errorf("reading config file: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, true, fmt.Errorf("config file %s is larger than %d KiB", path, MaxFileBytes>>10)
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, true, fmt.Errorf("config file %s is not valid (a YAML map with a top-level profiles: key): %w", path, err)
	}
	for name, section := range f.Profiles {
		for k := range section {
			if o, ok := Lookup(k); !ok || !o.InFile {
				return nil, true, fmt.Errorf("config file %s, profile %q: unknown setting %q (valid: %s)", path, name, k, strings.Join(fileKeys(), ", "))
			}
		}
	}
	return &f, true, nil
}

// Load resolves the settings: flag (when set on the command line) > env >
// the profile's section of the config file > default. flags is the parsed
// flag set of the command (may be nil); a flag there that is not the global
// one registered by RegisterFlags (a command's own --timeout, say) is ignored.
func Load(flags *pflag.FlagSet) (*Config, error) {
	flags = globalOnly(flags)
	v := viper.New()
	for _, o := range Options {
		v.SetDefault(o.Key, o.Default)
		if err := v.BindEnv(o.Key, o.Env); err != nil {
			return nil, err
		}
		if flags != nil {
			if f := flags.Lookup(o.Key); f != nil {
				if err := v.BindPFlag(o.Key, f); err != nil {
					return nil, err
				}
			}
		}
	}
	c := &Config{Sources: map[string]string{}}
	c.File = v.GetString(KeyConfig)
	if c.File == "" {
		dir, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		c.File = filepath.Join(dir, "config.yaml")
	}
	c.Dir = filepath.Dir(c.File)
	if err := checkNotShared(c.Dir); err != nil {
		return nil, err
	}
	file, exists, err := ReadFile(c.File)
	if err != nil {
		return nil, err
	}
	c.FileExists = exists
	c.Profile = v.GetString(KeyProfile)
	po, _ := Lookup(KeyProfile)
	profileSource := source(po, flags, nil)
	if profileSource == "default" && file.DefaultProfile != "" {
		c.Profile, profileSource = file.DefaultProfile, "file"
	}
	if err := ValidProfile(c.Profile); err != nil {
		return nil, err
	}
	section := file.Profiles[c.Profile]
	if len(section) > 0 {
		clean := map[string]any{}
		for k, val := range section {
			o, ok := Lookup(k)
			if !ok || !o.InFile {
				return nil, fmt.Errorf("config file %s, profile %q: unknown setting %q (valid: %s)", c.File, c.Profile, k, strings.Join(fileKeys(), ", "))
			}
			clean[k] = val
		}
		if err := v.MergeConfigMap(clean); err != nil {
			return nil, err
		}
	}
	for _, o := range Options {
		c.Sources[o.Key] = source(o, flags, section)
	}
	c.Sources[KeyProfile] = profileSource
	c.APIURL = v.GetString(KeyAPIURL)
	c.AuthURL = strings.TrimSuffix(v.GetString(KeyAuthURL), "/")
	c.Output = v.GetString(KeyOutput)
	if c.DryRun, err = getBool(v, KeyDryRun); err != nil {
		return nil, err
	}
	if c.Debug, err = getBool(v, KeyDebug); err != nil {
		return nil, err
	}
	if c.NoColor, err = getBool(v, KeyNoColor); err != nil {
		return nil, err
	}
	if c.Timeout, err = getDuration(v, KeyTimeout); err != nil {
		return nil, err
	}
	if c.MaxItems, err = getPositiveInt(v, KeyMaxItems); err != nil {
		return nil, err
	}
	if c.MaxListMiB, err = getPositiveInt(v, KeyMaxListMiB); err != nil {
		return nil, err
	}
	c.Values = map[string]string{}
	for _, o := range Options {
		c.Values[o.Key] = v.GetString(o.Key)
	}
	c.Values[KeyProfile], c.Values[KeyConfig], c.Values[KeyAuthURL] = c.Profile, c.File, c.AuthURL
	c.Values[KeyDryRun], c.Values[KeyDebug], c.Values[KeyNoColor] = fmt.Sprint(c.DryRun), fmt.Sprint(c.Debug), fmt.Sprint(c.NoColor)
	c.Values[KeyTimeout] = c.Timeout.String()
	return c, nil
}

// globalOnly keeps the flags registered by RegisterFlags.
func globalOnly(flags *pflag.FlagSet) *pflag.FlagSet {
	if flags == nil {
		return nil
	}
	out := pflag.NewFlagSet("global", pflag.ContinueOnError)
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Annotations[globalAnnotation] != nil {
			out.AddFlag(f)
		}
	})
	return out
}

const globalAnnotation = "itcare_global"

func source(o Option, flags *pflag.FlagSet, section map[string]any) string {
	if flags != nil {
		if f := flags.Lookup(o.Key); f != nil && f.Changed {
			return "flag"
		}
	}
	if _, ok := os.LookupEnv(o.Env); ok {
		return "env"
	}
	if _, ok := section[o.Key]; ok {
		return "file"
	}
	return "default"
}

func fileKeys() []string {
	var ks []string
	for _, o := range Options {
		if o.InFile {
			ks = append(ks, o.Key)
		}
	}
	sort.Strings(ks)
	return ks
}

// SettingError is an invalid value in the environment or the config file.
type SettingError struct{ Key, Value, Want string }

func (e *SettingError) Error() string {
	o, _ := Lookup(e.Key)
	return fmt.Sprintf("invalid value %q for %s (--%s / %s): want %s", e.Value, e.Key, e.Key, o.Env, e.Want)
}

func getBool(v *viper.Viper, key string) (bool, error) {
	return parseBool(key, v.GetString(key))
}

func parseBool(key, s string) (bool, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, &SettingError{Key: key, Value: s, Want: "true or false"}
}

func getDuration(v *viper.Viper, key string) (time.Duration, error) {
	return parseDuration(key, v.GetString(key))
}

func parseDuration(key, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, &SettingError{Key: key, Value: s, Want: "a positive duration such as 30s or 2m"}
	}
	return d, nil
}

func getPositiveInt(v *viper.Viper, key string) (int, error) {
	return parsePositiveInt(key, v.GetString(key))
}

func parsePositiveInt(key, s string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<30 {
		return 0, &SettingError{Key: key, Value: s, Want: "a positive whole number"}
	}
	return n, nil
}

// checkNotShared refuses a config folder other users can write to: they
// could replace the config file, plant links where the credentials and the
// token cache are written, or read them. A folder that does not exist yet is
// created 0700 when needed.
func checkNotShared(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	if mode := fi.Mode().Perm(); mode&0o022 != 0 {
		return fmt.Errorf("the config folder %s can be written by other users (mode %04o): refusing to use it; run: chmod 700 %s", dir, mode, dir)
	}
	return nil
}
