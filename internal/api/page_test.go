package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pageServer is a hostile or honest paged endpoint over real HTTP: answer
// builds the body of page n asked with size.
type pageServer struct {
	srv      *httptest.Server
	mu       sync.Mutex
	asked    []int
	requests atomic.Int64
}

func newPageServer(t *testing.T, answer func(w http.ResponseWriter, n, size int)) (*pageServer, *Client) {
	t.Helper()
	ps := &pageServer{}
	ps.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		ps.requests.Add(1)
		ps.mu.Lock()
		ps.asked = append(ps.asked, n)
		ps.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		answer(w, n, size)
	}))
	t.Cleanup(ps.srv.Close)
	c, err := New(Options{BaseURL: ps.srv.URL + "/itcare", HTTPClient: ps.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return ps, c
}

// items returns the ids from..to-1 as a JSON content array.
func items(from, to int) []map[string]int {
	out := []map[string]int{}
	for i := from; i < to; i++ {
		out = append(out, map[string]int{"id": i})
	}
	return out
}

func writePage(w http.ResponseWriter, page map[string]any) {
	_ = json.NewEncoder(w).Encode(page)
}

// honestPages serves total items by pages of size, with the given fields.
func honestPages(total int, withLast, withTotalPages bool) func(http.ResponseWriter, int, int) {
	return func(w http.ResponseWriter, n, size int) {
		from, to := n*size, min((n+1)*size, total)
		if from > total {
			from = total
		}
		p := map[string]any{"content": items(from, to), "number": n}
		if withLast {
			p["last"] = to >= total
		}
		if withTotalPages {
			p["totalPages"] = (total + size - 1) / size
			p["size"] = size
		}
		writePage(w, p)
	}
}

func listAll(t *testing.T, c *Client, o PageOptions) (*Page[json.RawMessage], error) {
	t.Helper()
	o.All = true
	return ListPages[json.RawMessage](context.Background(), c, "/things", nil, o)
}

func TestIsLastCountsAgainstTotalPages(t *testing.T) {
	for _, tc := range []struct {
		number, total int
		last          bool
	}{{0, 1, true}, {0, 2, false}, {1, 2, true}, {1, 3, false}, {2, 3, true}, {5, 3, true}} {
		p := Page[int]{Number: tc.number, TotalPages: tc.total, Content: []int{1}, Size: 1}
		if got := p.IsLast(); got != tc.last {
			t.Errorf("page %d of %d: IsLast = %v, want %v", tc.number, tc.total, got, tc.last)
		}
	}
	// Over HTTP: with totalPages (and no last), exactly pages 0..total-1 are asked.
	for _, total := range []int{1, 2, 3, 7} {
		ps, c := newPageServer(t, honestPages(total*2, false, true))
		p, err := listAll(t, c, PageOptions{Size: 2})
		if err != nil {
			t.Fatalf("%d pages: %v", total, err)
		}
		if len(p.Content) != total*2 || ps.requests.Load() != int64(total) {
			t.Errorf("%d pages: got %d items in %d requests, want %d in %d", total, len(p.Content), ps.requests.Load(), total*2, total)
		}
	}
}

func TestFullPageWithoutLastOrTotalPagesIsNotTheLast(t *testing.T) {
	// The server sends neither last nor totalPages nor size: a full page
	// means more may follow, a short one ends the listing.
	ps, c := newPageServer(t, honestPages(5, false, false))
	p, err := listAll(t, c, PageOptions{Size: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Content) != 5 || ps.requests.Load() != 3 {
		t.Fatalf("got %d items in %d requests, want 5 in 3", len(p.Content), ps.requests.Load())
	}
	// An exact multiple ends with an empty page.
	ps, c = newPageServer(t, honestPages(4, false, false))
	if p, err = listAll(t, c, PageOptions{Size: 2}); err != nil || len(p.Content) != 4 {
		t.Fatalf("got %v, %v; want 4 items", p, err)
	}
}

func TestPageFetchesStayWithinTheConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int64
	honest := honestPages(40, false, true)
	_, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		honest(w, n, size)
	})
	p, err := listAll(t, c, PageOptions{Size: 2, Concurrency: 3})
	if err != nil || len(p.Content) != 40 {
		t.Fatalf("got %v, %v", p, err)
	}
	if peak.Load() > 3 || peak.Load() < 2 {
		t.Fatalf("at most %d page requests ran at once, want 2..3 (the bound)", peak.Load())
	}
}

func TestFailedPageErrorIsNotHiddenByTheCancellationOfTheOthers(t *testing.T) {
	honest := honestPages(40, false, true)
	_, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		if n == 3 {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"errorMessage":"page three is broken"}`)
			return
		}
		if n > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		honest(w, n, size)
	})
	_, err := listAll(t, c, PageOptions{Size: 2, Concurrency: 4})
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v (%T), want the 500 of page 3", err, err)
	}
}

func TestEndlessPagesStopAtTheItemLimit(t *testing.T) {
	// "last": false forever, no totalPages, full pages of new items.
	ps, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		writePage(w, map[string]any{"content": items(n*size, (n+1)*size), "number": n, "last": false})
	})
	_, err := listAll(t, c, PageOptions{Size: 50, Limits: Limits{MaxItems: 1000}})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != 1000 || le.Flag != FlagMaxItems {
		t.Fatalf("err = %v, want the item limit", err)
	}
	if n := ps.requests.Load(); n > 21 {
		t.Fatalf("%d requests for a limit of 1000 items by 50", n)
	}
	// The default limit holds too, without any option.
	ps, c = newPageServer(t, func(w http.ResponseWriter, n, size int) {
		writePage(w, map[string]any{"content": items(n*size, (n+1)*size), "number": n, "last": false})
	})
	if _, err := listAll(t, c, PageOptions{Size: 1000}); !errors.As(err, &le) || le.Limit != DefaultMaxItems {
		t.Fatalf("err = %v, want the default item limit", err)
	}
	if n := ps.requests.Load(); n != DefaultMaxItems/1000+1 {
		t.Fatalf("%d requests", n)
	}
}

func TestHugeTotalPagesStopsAtTheLimits(t *testing.T) {
	// totalPages 99999 of 200: refused before fetching anything more.
	ps, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		writePage(w, map[string]any{"content": items(n*size, (n+1)*size), "number": n, "totalPages": 999999, "size": size})
	})
	_, err := listAll(t, c, PageOptions{})
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a limit", err)
	}
	if n := ps.requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	// Within the page count but over the byte limit: stops there.
	pad := strings.Repeat("x", 100<<10)
	ps, c = newPageServer(t, func(w http.ResponseWriter, n, size int) {
		fmt.Fprintf(w, `{"content":[{"id":%d,"pad":%q}],"number":%d,"totalPages":500}`, n, pad, n)
	})
	_, err = listAll(t, c, PageOptions{Limits: Limits{MaxBytes: 2 << 20}})
	if !errors.As(err, &le) || le.Flag != FlagMaxBytes {
		t.Fatalf("err = %v, want the byte limit", err)
	}
	if n := ps.requests.Load(); n > 40 {
		t.Fatalf("%d requests for a 2 MiB limit of 600 KiB pages", n)
	}
}

func TestPagesThatDoNotMatchTheRequestAreRefused(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter, int, int){
		"server page number": func(w http.ResponseWriter, n, size int) {
			writePage(w, map[string]any{"content": items(n, n+size), "number": n - 2000000000, "last": false})
		},
		"wrong page number later": func(w http.ResponseWriter, n, size int) {
			writePage(w, map[string]any{"content": items(n*size, n*size+size), "number": min(n, 1), "last": false})
		},
		"larger than asked": func(w http.ResponseWriter, n, size int) {
			writePage(w, map[string]any{"content": items(n*100, n*100+size+1), "number": n, "last": false})
		},
		"repeated content": func(w http.ResponseWriter, n, size int) {
			writePage(w, map[string]any{"content": items(0, size), "number": n, "last": false})
		},
		"repeated content with totalPages": func(w http.ResponseWriter, n, size int) {
			writePage(w, map[string]any{"content": items(0, size), "number": n, "totalPages": 50})
		},
	} {
		ps, c := newPageServer(t, answer)
		_, err := listAll(t, c, PageOptions{Size: 10})
		var pe *PageError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a page mismatch", name, err)
		}
		if n := ps.requests.Load(); n > 10 {
			t.Errorf("%s: %d requests", name, n)
		}
	}
}

func TestNullBodyAndNullItemsAreErrors(t *testing.T) {
	_, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		fmt.Fprint(w, `{"content":[{"id":1},null],"number":0,"last":true}`)
	})
	var de *DecodeError
	if _, err := ListPages[json.RawMessage](context.Background(), c, "/things", url.Values{}, PageOptions{}); !errors.As(err, &de) {
		t.Fatalf("null item: err = %v", err)
	}
	_, c = newPageServer(t, func(w http.ResponseWriter, n, size int) { fmt.Fprint(w, "null") })
	var obj map[string]any
	if _, err := c.Get(context.Background(), "/things/1", nil, "thing 1", &obj); !errors.As(err, &de) {
		t.Fatalf("null body: err = %v", err)
	}
}

func TestAServerCappingThePageSizeIsFollowedToTheEnd(t *testing.T) {
	// Asked 200 a page, the server gives 3 and says so, without last or
	// totalPages: its full pages are not the last.
	ps, c := newPageServer(t, func(w http.ResponseWriter, n, size int) {
		from, to := n*3, min(n*3+3, 8)
		writePage(w, map[string]any{"content": items(from, to), "number": n, "size": 3})
	})
	p, err := listAll(t, c, PageOptions{})
	if err != nil || len(p.Content) != 8 || ps.requests.Load() != 3 {
		t.Fatalf("got %v items in %d requests (%v), want 8 in 3", len(p.Content), ps.requests.Load(), err)
	}
}
