package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// rtFunc answers requests in process (the fuzzer runs too many cases for
// real sockets).
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzPageLoop: whatever a server answers page after page (numbers, sizes,
// last, totalPages, repeats, garbage), a listing ends, within its limits,
// with either every item of pages that matched the request or an error.
func FuzzPageLoop(f *testing.F) {
	f.Add([]byte{0x05, 0x05, 0x05, 0x83}, uint8(0))
	f.Add([]byte{0x05}, uint8(0))       // full pages forever
	f.Add([]byte{0x45, 0x25}, uint8(9)) // wrong numbers, totalPages
	f.Add([]byte{0x15, 0x15, 0x02}, uint8(200))
	f.Add([]byte{0x06, 0x00}, uint8(3)) // larger than asked
	f.Fuzz(func(t *testing.T, script []byte, totalPages uint8) {
		if len(script) == 0 {
			return
		}
		const size, maxItems = 5, 60
		var requests atomic.Int64
		rt := rtFunc(func(r *http.Request) (*http.Response, error) {
			requests.Add(1)
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			b := script[n%len(script)]
			count := int(b & 0x07)      // 0..7 items: up to 2 more than asked
			shift := int(b>>4&0x03) - 1 // page number answered: n-1..n+2
			if b&0x40 == 0 {
				shift = 0
			}
			repeat := b&0x08 != 0 // the items of page 0 again
			first := n * 10
			if repeat {
				first = 0
			}
			items := make([]map[string]int, count)
			for i := range items {
				items[i] = map[string]int{"id": first + i}
			}
			page := map[string]any{"content": items, "number": n + shift, "last": b&0x80 != 0}
			if totalPages > 0 {
				page["totalPages"] = int(totalPages)
			}
			body, _ := json.Marshal(page)
			if b == 0xff {
				body = []byte(`{"content":[`)
			}
			return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})
		c, err := New(Options{BaseURL: "http://api.test/itcare", HTTPClient: &http.Client{Transport: rt}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ListPages[json.RawMessage](context.Background(), c, "/things", nil,
			PageOptions{All: true, Size: size, Concurrency: 2, Limits: Limits{MaxItems: maxItems}})
		if n := requests.Load(); n > maxItems+2 && n > int64(totalPages)+1 {
			t.Fatalf("%d requests for at most %d items", n, maxItems)
		}
		if err != nil {
			var le *LimitError
			var pe *PageError
			var de *DecodeError
			if !errors.As(err, &le) && !errors.As(err, &pe) && !errors.As(err, &de) {
				t.Fatalf("unexpected error %T: %v", err, err)
			}
			return
		}
		if len(p.Content) > maxItems {
			t.Fatalf("%d items over the limit of %d", len(p.Content), maxItems)
		}
	})
}
