package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Page is a Spring Data page. Page numbers are 0-based.
type Page[T any] struct {
	Content          []T  `json:"content"`
	TotalElements    int  `json:"totalElements"`
	TotalPages       int  `json:"totalPages"`
	Number           int  `json:"number"`
	Size             int  `json:"size"`
	NumberOfElements int  `json:"numberOfElements"`
	First            bool `json:"first"`
	Last             bool `json:"last"`
	Empty            bool `json:"empty"`
}

// IsLast reports whether p is the last page, trusting `last` and falling
// back to totalPages, or to a short page when neither is sent.
func (p *Page[T]) IsLast() bool { return p.isLast(p.Number, p.Size) }

// isLast is IsLast for page n asked with size asked (0: unknown), which is
// what the client counts from: the page's own number and size are only
// checked against them.
func (p *Page[T]) isLast(n, asked int) bool {
	if p.Last {
		return true
	}
	if p.TotalPages > 0 {
		return n+1 >= p.TotalPages
	}
	// A page shorter than the page size is the last one. The size is the
	// one asked for, or the server's when it says it uses a smaller one (a
	// server capping the page size); a larger one was refused already.
	size := asked
	if p.Size > 0 && (size == 0 || p.Size < size) {
		size = p.Size
	}
	return len(p.Content) == 0 || (size > 0 && len(p.Content) < size)
}

// PageOptions select one page, or all of them.
type PageOptions struct {
	Page int // 0-based
	Size int // 0: the server's default (or DefaultPageSize with All)
	All  bool
	Sort string // property(,asc|desc)
	// Concurrency bounds parallel page fetches once the first page gives
	// totalPages; 0 means DefaultConcurrency.
	Concurrency int
	// Limits bound a listing with All; zero fields take the client's
	// (Options.Limits), then the defaults.
	Limits Limits
	// Each, with All, receives the items of every page (a []T) in order as
	// soon as they can be given, and the merged page comes back without
	// content: the listing is then never held whole in memory.
	Each func(items any) error
}

// DefaultPageSize is used when fetching every page; the API's maximum is
// undocumented, a third-party client uses 200.
const DefaultPageSize = 200

// DefaultConcurrency bounds parallel page fetches.
const DefaultConcurrency = 4

// Limits bound one listing (every page of `list --all` or `api --paginate`),
// whatever the server answers: a server that never says "last" or announces
// millions of pages ends with a *LimitError instead of exhausting memory.
type Limits struct {
	MaxItems int   // items over all pages; 0 = DefaultMaxItems
	MaxBytes int64 // response bodies over all pages; 0 = DefaultMaxBytes
}

// Default bounds of one listing.
const (
	DefaultMaxItems       = 100000
	DefaultMaxBytes int64 = 256 << 20
)

// orDefault fills the zero fields of l from d, then from the defaults.
func (l Limits) orDefault(d Limits) Limits {
	if l.MaxItems <= 0 {
		l.MaxItems = d.MaxItems
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

// LimitError is a listing that went over one of its Limits (exit code 1).
type LimitError struct {
	What  string // "items" or "MiB of responses"
	Limit int64
	Flag  string // how to raise it
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the listing goes over %d %s: stopped (raise the limit with %s, or narrow the listing with filters)", e.Limit, e.What, e.Flag)
}

// The flags that raise the limits, named in LimitError (internal/config
// registers them).
const (
	FlagMaxItems = "--max-items"
	FlagMaxBytes = "--max-list-mib"
)

// PageError is a page that does not match what was asked for.
type PageError struct {
	Asked int
	Msg   string
}

func (e *PageError) Error() string {
	return fmt.Sprintf("page %d: %s; the server's paging cannot be trusted, stopped", e.Asked, e.Msg)
}

// apply writes page/size/sort into q.
func (o PageOptions) apply(q url.Values, page int) {
	q.Set("page", strconv.Itoa(page))
	if size := o.size(); size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
}

// size is the page size asked for (0: the server's default).
func (o PageOptions) size() int {
	if o.Size == 0 && o.All {
		return DefaultPageSize
	}
	return o.Size
}

// fetchedPage is one page and the size of the body it came in.
type fetchedPage[T any] struct {
	page  *Page[T]
	bytes int
}

type pageFetcher[T any] func(ctx context.Context, n int) (*fetchedPage[T], error)

// ListPages fetches one page (o.All false) or every page of a paged
// endpoint. With All, pages after the first are fetched concurrently (bounded),
// kept in order, and any failed page fails the whole call; the listing is
// bounded by o.Limits. Items are returned raw so that no field the CLI does
// not model is lost.
func ListPages[T any](ctx context.Context, c *Client, path string, q url.Values, o PageOptions) (*Page[T], error) {
	if q == nil {
		q = url.Values{}
	}
	fetch := func(ctx context.Context, n int) (*fetchedPage[T], error) {
		pq := cloneValues(q)
		o.apply(pq, n)
		var p Page[T]
		resp, err := c.Get(ctx, path, pq, "", &p)
		if err != nil {
			return nil, err
		}
		if i := nullItem(p.Content); i >= 0 {
			return nil, &DecodeError{Method: "GET", Path: "/" + strings.TrimPrefix(path, "/"), StatusCode: resp.StatusCode,
				Excerpt: Excerpt(string(resp.Body), 200), Err: fmt.Errorf("item %d of page %d is null", i, n)}
		}
		return &fetchedPage[T]{page: &p, bytes: len(resp.Body)}, nil
	}
	first, err := fetch(ctx, o.Page)
	if err != nil {
		return nil, err
	}
	if !o.All {
		return first.page, nil
	}
	o.Limits = o.Limits.orDefault(c.limits)
	return mergeRest(ctx, fetch, first, o)
}

// listing checks every page of one listing against what was asked and
// against the limits. It is safe for concurrent use.
type listing[T any] struct {
	o     PageOptions
	mu    sync.Mutex
	items int
	bytes int64
	// seen maps the digest of each page's items to the page's number. The
	// digest is seeded per listing: a server cannot make two different
	// pages collide on purpose, and by chance they do once in 2^64.
	seen map[uint64]int
	seed maphash.Seed
}

func newListing[T any](o PageOptions) *listing[T] {
	return &listing[T]{o: o, seen: map[uint64]int{}, seed: maphash.MakeSeed()}
}

// add checks page n (fetched as f) and counts it.
func (l *listing[T]) add(n int, f *fetchedPage[T]) error {
	p := f.page
	if p == nil {
		return &PageError{Asked: n, Msg: "the answer is empty"}
	}
	if p.Number != n {
		return &PageError{Asked: n, Msg: fmt.Sprintf("the server answered with page %d", p.Number)}
	}
	asked := l.o.size()
	if asked > 0 && (len(p.Content) > asked || p.Size > asked) {
		return &PageError{Asked: n, Msg: fmt.Sprintf("%d items (page size %d) where at most %d were asked for", len(p.Content), p.Size, asked)}
	}
	var digest uint64
	if len(p.Content) > 0 {
		var h maphash.Hash
		h.SetSeed(l.seed)
		for _, it := range p.Content {
			b, err := itemJSON(it)
			if err != nil {
				return err
			}
			h.Write(b)
			h.WriteByte('\n')
		}
		digest = h.Sum64()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(p.Content) > 0 {
		if prev, dup := l.seen[digest]; dup {
			return &PageError{Asked: n, Msg: fmt.Sprintf("the same content as page %d", prev)}
		}
		l.seen[digest] = n
	}
	l.items += len(p.Content)
	l.bytes += int64(f.bytes)
	if l.items > l.o.Limits.MaxItems {
		return &LimitError{What: "items", Limit: int64(l.o.Limits.MaxItems), Flag: FlagMaxItems}
	}
	if l.bytes > l.o.Limits.MaxBytes {
		return &LimitError{What: "MiB of responses", Limit: l.o.Limits.MaxBytes >> 20, Flag: FlagMaxBytes}
	}
	return nil
}

// mergeRest checks first, fetches the pages after it and returns them all
// merged. Page numbers are the client's: it asks for o.Page, o.Page+1, ...
// and refuses a page that does not match the request.
func mergeRest[T any](ctx context.Context, fetch pageFetcher[T], first *fetchedPage[T], o PageOptions) (*Page[T], error) {
	l := newListing[T](o)
	if err := l.add(o.Page, first); err != nil {
		return nil, err
	}
	merged := *first.page
	size := o.size()
	keep := func(items []T) error {
		if o.Each != nil {
			return o.Each(items)
		}
		merged.Content = append(merged.Content, items...)
		return nil
	}
	merged.Content = nil
	if err := keep(first.page.Content); err != nil {
		return nil, err
	}
	switch {
	case first.page.isLast(o.Page, size):
	case first.page.TotalPages > 0:
		total := first.page.TotalPages
		// Every page but the last holds at least one item: more pages than
		// the item limit cannot be a listing within it.
		if total-o.Page-1 > o.Limits.MaxItems {
			return nil, &LimitError{What: "items", Limit: int64(o.Limits.MaxItems), Flag: FlagMaxItems}
		}
		if err := fetchConcurrently(ctx, fetch, l, o.Page+1, total, o.Concurrency, keep); err != nil {
			return nil, err
		}
	default:
		// No totalPages: walk sequentially until the server says last; the
		// limits end a listing that never does.
		for n := o.Page + 1; ; n++ {
			f, err := fetch(ctx, n)
			if err != nil {
				return nil, fmt.Errorf("page %d: %w", n, err)
			}
			if err := l.add(n, f); err != nil {
				return nil, err
			}
			if err := keep(f.page.Content); err != nil {
				return nil, err
			}
			if f.page.isLast(n, size) {
				break
			}
		}
	}
	merged.NumberOfElements = len(merged.Content)
	merged.Last, merged.Empty = true, l.items == 0
	return &merged, nil
}

// fetchConcurrently fetches pages from..to-1 with at most workers at once
// and hands their items to keep in page order, each as soon as the pages
// before it have been.
func fetchConcurrently[T any](ctx context.Context, fetch pageFetcher[T], l *listing[T], from, to, workers int, keep func([]T) error) error {
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make([]*Page[T], to-from)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		orderMu  sync.Mutex
		next     int // index of the next page to hand to keep
	)
	fail := func(n int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			var le *LimitError
			var pe *PageError
			if !errors.As(err, &le) && !errors.As(err, &pe) {
				err = fmt.Errorf("page %d: %w", n, err)
			}
			firstErr = err
			cancel()
		}
	}
	store := func(n int, p *Page[T]) error {
		orderMu.Lock()
		defer orderMu.Unlock()
		ready[n-from] = p
		for ; next < len(ready) && ready[next] != nil; next++ {
			if err := keep(ready[next].Content); err != nil {
				return err
			}
			ready[next] = nil
		}
		return nil
	}
	jobs := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				f, err := fetch(ctx, n)
				if err == nil {
					err = l.add(n, f)
				}
				if err == nil {
					err = store(n, f.page)
				}
				if err != nil {
					// A page failing because another one did (and
					// cancelled the rest) must not hide the first error.
					if ctx.Err() == nil || !errors.Is(err, context.Canceled) {
						fail(n, err)
					}
				}
			}
		}()
	}
feed:
	for n := from; n < to; n++ {
		select {
		case jobs <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// nullItem returns the index of the first null item of a page, or -1: a
// null where a resource is expected is a broken answer, not an empty object.
func nullItem[T any](items []T) int {
	for i, it := range items {
		b, err := itemJSON(it)
		if err != nil || string(b) == "null" {
			return i
		}
	}
	return -1
}

// itemJSON returns an item's JSON: the bytes it came in for values that
// keep them (Object), without encoding_json's copy and re-validation of
// every item of every page.
func itemJSON(it any) ([]byte, error) {
	if m, ok := it.(json.Marshaler); ok {
		b, err := m.MarshalJSON()
		if len(b) == 0 && err == nil {
			b = []byte("null")
		}
		return b, err
	}
	return json.Marshal(it)
}

func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q)+3)
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}
