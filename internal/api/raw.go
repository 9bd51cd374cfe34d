package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/itcare-cli/itcare/internal/origin"
)

// Paginated is the result of PaginateRaw.
type Paginated struct {
	First *Response         // the first answer (status line and headers for -i)
	Items []json.RawMessage // every page's content, in order; nil when the answer was not a page
	Pages int
}

// PaginateRaw sends a GET and, when the answer is a Spring page, fetches
// every following page (concurrently once totalPages is known) and merges
// their content. The page and size already in q are honoured; size defaults
// to DefaultPageSize. A failed page fails the whole call.
func (c *Client) PaginateRaw(ctx context.Context, r *Request) (*Paginated, error) {
	o := PageOptions{All: true}
	q := cloneValues(r.Query)
	if v := q.Get("page"); v != "" {
		o.Page, _ = strconv.Atoi(v)
	}
	if v := q.Get("size"); v != "" {
		o.Size, _ = strconv.Atoi(v)
	}
	q.Del("page")
	q.Del("size")
	if v := q.Get("sort"); v != "" {
		o.Sort = v
		q.Del("sort")
	}
	var firstResp *Response
	fetch := func(ctx context.Context, n int) (*fetchedPage[json.RawMessage], error) {
		pq := cloneValues(q)
		o.apply(pq, n)
		req := *r
		req.Query = pq
		resp, err := c.Do(ctx, &req)
		if n == o.Page {
			firstResp = resp
		}
		if err != nil {
			return nil, err
		}
		var p Page[json.RawMessage]
		if !isPage(resp.Body) {
			if !json.Valid(resp.Body) {
				return nil, &DecodeError{Method: req.Method, Path: req.displayPath(), StatusCode: resp.StatusCode,
					Excerpt: Excerpt(string(resp.Body), 200), Err: errors.New("not JSON")}
			}
			return &fetchedPage[json.RawMessage]{bytes: len(resp.Body)}, nil
		}
		if p.decodeFast(resp.Body) {
			return &fetchedPage[json.RawMessage]{page: &p, bytes: len(resp.Body)}, nil
		}
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			return nil, &DecodeError{Method: req.Method, Path: req.displayPath(), StatusCode: resp.StatusCode, Excerpt: Excerpt(string(resp.Body), 200), Err: err}
		}
		return &fetchedPage[json.RawMessage]{page: &p, bytes: len(resp.Body)}, nil
	}
	first, err := fetch(ctx, o.Page)
	if err != nil {
		return &Paginated{First: firstResp}, err
	}
	if first.page == nil {
		return &Paginated{First: firstResp, Pages: 1}, nil
	}
	o.Limits = o.Limits.orDefault(c.limits)
	merged, err := mergeRest(ctx, fetch, first, o)
	if err != nil {
		return &Paginated{First: firstResp}, err
	}
	pages := 1
	if merged.TotalPages > 0 {
		pages = merged.TotalPages - o.Page
	}
	items := merged.Content
	if items == nil {
		items = []json.RawMessage{}
	}
	return &Paginated{First: firstResp, Items: items, Pages: pages}, nil
}

// isPage reports whether body is a JSON object with a "content" array.
func isPage(body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	var probe struct {
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return false
	}
	c := bytes.TrimSpace(probe.Content)
	return len(c) > 0 && c[0] == '['
}

// RelativeTo reports whether u (absolute) points under the API base URL, and
// returns its path and query relative to base. The token is only ever sent there.
func RelativeTo(base, u *url.URL) (string, bool) {
	if !u.IsAbs() || !origin.Same(u, base) {
		return "", false
	}
	p := u.EscapedPath()
	basePath := strings.TrimSuffix(base.EscapedPath(), "/")
	if basePath != "" && p != basePath && !strings.HasPrefix(p, basePath+"/") {
		return "", false
	}
	rel := p[len(basePath):]
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	return rel, true
}

// ItemsOf returns the items of a list answer as a JSON array: the answer
// itself when it is an array, the content of a Spring page, or [] for an
// empty answer (some lists answer 204 No Content when empty).
func ItemsOf(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return json.RawMessage("[]"), nil
	case raw[0] == '[':
		return raw, nil
	case isPage(raw):
		var p struct {
			Content json.RawMessage `json:"content"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		return p.Content, nil
	}
	return nil, fmt.Errorf("expected a list, got: %s", Excerpt(string(raw), 120))
}

// NamedItems reads the id, name and status of each item of a list (an
// array or a page), for resolving names within a sub-collection.
func NamedItems(raw json.RawMessage) ([]Named, error) {
	items, err := ItemsOf(raw)
	if err != nil {
		return nil, err
	}
	var objs []Object
	if err := json.Unmarshal(items, &objs); err != nil {
		return nil, err
	}
	out := make([]Named, len(objs))
	for i, o := range objs {
		out[i] = o.Summary()
	}
	return out, nil
}
