package api

import (
	"context"
	"net/url"
)

// Candidate is what shell completion shows of a resource or an action.
type Candidate struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	Environment  string `json:"environment"`
	Process      string `json:"process"`
	ResourceName string `json:"resourceName"`
}

// Candidates reads the family's resources for completion: pages of
// pageSize, at most maxPages of them, stopping at the first failure (ctx
// bounds the time). What was read is returned; complete says it is the
// whole list (the last page was read).
func (f *Family) Candidates(ctx context.Context, pageSize, maxPages int) (items []Candidate, complete bool) {
	for n := 0; n < maxPages; n++ {
		p, err := ListPages[Candidate](ctx, f.c, f.Path, url.Values{}, PageOptions{Page: n, Size: pageSize})
		if err != nil {
			return items, false
		}
		items = append(items, p.Content...)
		if p.IsLast() || len(p.Content) == 0 {
			return items, true
		}
	}
	return items, false
}

// RunningCandidates returns the actions in progress, for completion.
func (s *ActionsService) RunningCandidates(ctx context.Context) ([]Candidate, error) {
	var out []Candidate
	_, err := s.c.Get(ctx, "/actions", ActionFilter{Statuses: []string{StatusInProgress}}.Query(), "", &out)
	return out, err
}
