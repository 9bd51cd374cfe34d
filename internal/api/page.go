package api

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
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
func (p *Page[T]) IsLast() bool {
	if p.Last {
		return true
	}
	if p.TotalPages > 0 {
		return p.Number+1 >= p.TotalPages
	}
	return len(p.Content) == 0 || (p.Size > 0 && len(p.Content) < p.Size)
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
}

// DefaultPageSize is used when fetching every page; the API's maximum is
// undocumented, a third-party client uses 200.
const DefaultPageSize = 200

// DefaultConcurrency bounds parallel page fetches.
const DefaultConcurrency = 4

// maxPages stops a server that never says "last" from looping forever.
const maxPages = 100000

// apply writes page/size/sort into q.
func (o PageOptions) apply(q url.Values, page int) {
	size := o.Size
	if size == 0 && o.All {
		size = DefaultPageSize
	}
	q.Set("page", strconv.Itoa(page))
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
}

// ListPages fetches one page (o.All false) or every page of a paged
// endpoint. With All, pages after the first are fetched concurrently (bounded),
// kept in order, and any failed page fails the whole call. Items are returned
// raw so that no field the CLI does not model is lost.
func ListPages[T any](ctx context.Context, c *Client, path string, q url.Values, o PageOptions) (*Page[T], error) {
	if q == nil {
		q = url.Values{}
	}
	fetch := func(ctx context.Context, n int) (*Page[T], error) {
		pq := cloneValues(q)
		o.apply(pq, n)
		var p Page[T]
		if _, err := c.Get(ctx, path, pq, "", &p); err != nil {
			return nil, err
		}
		return &p, nil
	}
	first, err := fetch(ctx, o.Page)
	if err != nil || !o.All {
		return first, err
	}
	return mergeRest(ctx, fetch, first, o)
}

// mergeRest fetches the pages after first and returns them all merged.
func mergeRest[T any](ctx context.Context, fetch func(context.Context, int) (*Page[T], error), first *Page[T], o PageOptions) (*Page[T], error) {
	merged := *first
	switch {
	case first.IsLast():
	case first.TotalPages > 0:
		rest, err := fetchConcurrently(ctx, fetch, first.Number+1, first.TotalPages, o.Concurrency)
		if err != nil {
			return nil, err
		}
		for _, p := range rest {
			merged.Content = append(merged.Content, p.Content...)
		}
	default:
		// No totalPages: walk sequentially until the server says last.
		for n := first.Number + 1; n < maxPages; n++ {
			p, err := fetch(ctx, n)
			if err != nil {
				return nil, err
			}
			merged.Content = append(merged.Content, p.Content...)
			if p.IsLast() {
				break
			}
		}
	}
	merged.NumberOfElements = len(merged.Content)
	merged.Last, merged.Empty = true, len(merged.Content) == 0
	return &merged, nil
}

func fetchConcurrently[T any](ctx context.Context, fetch func(context.Context, int) (*Page[T], error), from, to, workers int) ([]*Page[T], error) {
	if to-from > maxPages {
		return nil, fmt.Errorf("the server reports %d pages; refusing to fetch more than %d", to, maxPages)
	}
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make([]*Page[T], to-from)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				p, err := fetch(ctx, n)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("page %d: %w", n, err)
						cancel()
					}
					mu.Unlock()
					continue
				}
				pages[n-from] = p
			}
		}()
	}
feed:
	for n := from; n < to; n++ {
		select {
		case next <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pages, nil
}

func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q)+3)
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}
