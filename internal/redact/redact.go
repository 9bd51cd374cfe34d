// Package redact removes the secrets this process knows from everything it
// prints. The auth layer registers each secret as soon as it holds it (the
// client secret, the Basic credentials built from it, access and refresh
// tokens); the output streams, error messages and --debug traces all go
// through Writer or String, so a secret a server echoes back (in an error
// description, a message, a body) is masked whatever field it hides in.
//
// Matching is by value, in every form the CLI itself sends: raw,
// URL-encoded (query and path escaping), JSON-escaped, and base64 of
// "id:secret" as in an Authorization: Basic header.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret.
const Mask = "[REDACTED]"

// MinLength is the shortest value registered: masking a two-letter value
// everywhere would garble output without protecting anything real.
const MinLength = 8

// Registry holds secret values. The zero value is ready to use.
type Registry struct {
	mu     sync.RWMutex
	forms  map[string]bool
	list   []string // forms, longest first
	screen *screen  // tells quickly text that holds no form (nil: no forms)
}

var global Registry

// Default is the process-wide registry the output streams use.
func Default() *Registry { return &global }

// Add registers a secret value and its encoded forms.
func Add(secret string) { global.Add(secret) }

// AddClient registers a client secret and the Basic credentials of id:secret.
func AddClient(id, secret string) { global.AddClient(id, secret) }

// String masks every registered secret in s.
func String(s string) string { return global.String(s) }

// Add registers a secret value and its encoded forms.
func (r *Registry) Add(secret string) {
	if len(secret) < MinLength {
		return
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	if b, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	r.addForms(forms...)
}

// AddClient registers secret and the base64 of "id:secret" (plain and with
// both parts URL-encoded, as OAuth 2.0 clients send them).
func (r *Registry) AddClient(id, secret string) {
	if len(secret) < MinLength {
		return
	}
	r.Add(secret)
	for _, pair := range []string{id + ":" + secret, url.QueryEscape(id) + ":" + url.QueryEscape(secret)} {
		r.addForms(base64.StdEncoding.EncodeToString([]byte(pair)), base64.RawStdEncoding.EncodeToString([]byte(pair)),
			base64.URLEncoding.EncodeToString([]byte(pair)))
	}
}

func (r *Registry) addForms(forms ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.forms == nil {
		r.forms = map[string]bool{}
	}
	changed := false
	for _, f := range forms {
		if len(f) >= MinLength && !r.forms[f] {
			r.forms[f] = true
			r.list = append(r.list, f)
			changed = true
		}
	}
	if changed {
		sort.Slice(r.list, func(i, j int) bool { return len(r.list[i]) > len(r.list[j]) })
		r.screen = newScreen(r.list)
	}
}

// screen tells in one pass over a text, whatever the number of forms, that
// it holds none of them, at a cost of about one table lookup per four bytes.
// Its needles are the forms that contain no other form (every form contains
// one). A needle, at least MinLength long, wherever it starts, covers one of
// the text's 4-byte pieces at offsets multiple of 4 with one of its own 4
// first 4-byte pieces: grams has a bit for the hash of each of those; the
// text's pieces whose bit is set are checked against the needles.
type screen struct {
	needles [][]byte
	grams   [64]uint64 // 4,096 bits
}

func newScreen(forms []string) *screen {
	s := &screen{}
next:
	for i, f := range forms {
		for j, g := range forms {
			if i != j && strings.Contains(f, g) {
				continue next // g's needle finds f
			}
		}
		s.needles = append(s.needles, []byte(f))
		for o := 0; o < 4; o++ { // MinLength >= 8 = 4 + 4
			h := gramHash(binary.LittleEndian.Uint32([]byte(f[o:])))
			s.grams[h>>6] |= 1 << (h & 63)
		}
	}
	return s
}

// The screen reads four 4-byte pieces from the start of every form.
const _ = uint(MinLength - 7)

func gramHash(g uint32) uint32 { return g * 0x9e3779b1 >> 20 }

// mayHold reports whether p may hold a needle; false is certain.
func (s *screen) mayHold(p []byte) bool {
	if s == nil {
		return false
	}
	for j := 0; j+4 <= len(p); j += 4 {
		if h := gramHash(binary.LittleEndian.Uint32(p[j:])); s.grams[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for o := 0; o < 4 && o <= j; o++ {
			for _, n := range s.needles {
				if bytes.HasPrefix(p[j-o:], n) {
					return true
				}
			}
		}
	}
	return false
}

func (r *Registry) snapshot() (forms []string, s *screen) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.list, r.screen
}

// String masks every registered secret in s.
func (r *Registry) String(s string) string {
	forms, _ := r.snapshot()
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Mask)
		}
	}
	return s
}

// partialTail returns how many bytes at the end of s could begin a
// registered form (which the next write may complete).
func partialTail[S string | []byte](s S, forms []string) int {
	longest := 0
	for _, f := range forms {
		for i := len(s) - min(len(f)-1, len(s)); i < len(s)-longest; i++ {
			if s[i] == f[0] && f[:len(s)-i] == string(s[i:]) {
				longest = len(s) - i
				break
			}
		}
	}
	return longest
}

// Writer masks secrets in what is written to W. A write that ends with the
// beginning of a secret keeps that part back until the next write or Flush,
// so a secret split across two writes (a buffered writer's chunks) is still
// masked.
type Writer struct {
	W   io.Writer
	Reg *Registry // nil = Default()

	mu      sync.Mutex
	pending string
}

// NewWriter returns a Writer on w with the process-wide registry.
func NewWriter(w io.Writer) *Writer { return &Writer{W: w} }

func (w *Writer) reg() *Registry {
	if w.Reg != nil {
		return w.Reg
	}
	return &global
}

// Write implements io.Writer; it reports len(p) when the masked text was written.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	forms, screen := w.reg().snapshot()
	if w.pending == "" && !screen.mayHold(p) && partialTail(p, forms) == 0 {
		// Nothing to mask and nothing to keep back: p as it is, without
		// copying it (most writes: a list's chunks of 64 KiB).
		_, err := w.W.Write(p)
		return len(p), err
	}
	s := w.pending + string(p)
	w.pending = ""
	s = w.reg().String(s)
	if n := partialTail(s, forms); n > 0 {
		s, w.pending = s[:len(s)-n], s[len(s)-n:]
	}
	if s != "" {
		if _, err := io.WriteString(w.W, s); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what was kept back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == "" {
		return nil
	}
	s := w.pending
	w.pending = ""
	_, err := io.WriteString(w.W, s)
	return err
}
