// Package compcache keeps, per profile and per resource family, the names
// and ids that shell completion offers, so that TAB answers from disk
// without a request while the list is fresh (MaxAge). It holds names and ids
// only, in 0600 files of a 0700 folder; `itcare logout` drops a profile's.
package compcache

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/itcare-cli/itcare/internal/atomicfile"
	"github.com/itcare-cli/itcare/internal/config"
)

// MaxAge is how long a saved list is used without asking the API again.
const MaxAge = 60 * time.Second

// maxFileBytes bounds what is read of one cache file.
const maxFileBytes = 8 << 20

// Entry is one resource offered by completion.
type Entry struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Cache is the completion cache under a configuration folder.
type Cache struct {
	Dir string           // the configuration folder; the cache is in Dir/cache/completion
	Now func() time.Time // default time.Now
}

type file struct {
	SavedAt time.Time `json:"savedAt"`
	Entries []Entry   `json:"entries"`
}

func (c Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Cache) folder() string { return filepath.Join(c.Dir, "cache", "completion") }

func (c Cache) path(profile, family string) (string, error) {
	if c.Dir == "" || config.ValidProfile(profile) != nil || !config.SafeName(family) {
		return "", errors.New("compcache: no folder, or an unsafe profile or family name")
	}
	return filepath.Join(c.folder(), profile+"."+family+".json"), nil
}

// Load returns the saved entries of profile and family and whether they are
// younger than MaxAge. A missing, unreadable or foreign file gives nothing.
func (c Cache) Load(profile, family string) (entries []Entry, fresh bool) {
	p, err := c.path(profile, family)
	if err != nil {
		return nil, false
	}
	f, err := os.OpenFile(p, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o077 != 0 {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil || len(b) > maxFileBytes {
		return nil, false
	}
	var fl file
	if json.Unmarshal(b, &fl) != nil {
		return nil, false
	}
	age := c.now().Sub(fl.SavedAt)
	return fl.Entries, age >= 0 && age < MaxAge
}

// Save replaces the entries of profile and family (atomically, 0600).
func (c Cache) Save(profile, family string, entries []Entry) error {
	p, err := c.path(profile, family)
	if err != nil {
		return err
	}
	b, err := json.Marshal(file{SavedAt: c.now().UTC(), Entries: entries})
	if err != nil {
		return err
	}
	// A link planted in place of the file is removed, not followed.
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return atomicfile.Write(p, b, 0o600)
}

// Drop removes every saved list of profile.
func (c Cache) Drop(profile string) error {
	if c.Dir == "" || config.ValidProfile(profile) != nil {
		return nil
	}
	des, err := os.ReadDir(c.folder())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	var first error
	for _, de := range des {
		if strings.HasPrefix(de.Name(), profile+".") && strings.HasSuffix(de.Name(), ".json") {
			if err := os.Remove(filepath.Join(c.folder(), de.Name())); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
