package api

import (
	"context"
	"slices"
	"time"
)

// SubmittedSince keeps the actions submitted at or after cutoff (all of them
// when cutoff is zero). The API has no such filter, so it
// is applied here; actions without a submission date are kept.
func SubmittedSince(actions []Action, cutoff time.Time) []Action {
	if cutoff.IsZero() {
		return actions
	}
	out := actions[:0:0]
	for _, a := range actions {
		if a.SubmittedAt == nil || !a.SubmittedAt.Before(cutoff) {
			out = append(out, a)
		}
	}
	return out
}

// maxFeedLookups bounds the actions looked up again in one poll of a feed.
const maxFeedLookups = 50

// ActionFeed lists actions for a watch. With a status filter (say
// IN_PROGRESS), an action that finishes leaves the list; the feed then
// fetches it once more, so that the watcher sees it change to SUCCESS or
// ERROR before it goes.
type ActionFeed struct {
	s      *ActionsService
	filter ActionFilter
	since  time.Duration
	now    func() time.Time
	last   map[int64]bool
}

// Feed returns a feed of the actions matching f, submitted within since of
// each poll (0: any time).
func (s *ActionsService) Feed(f ActionFilter, since time.Duration) *ActionFeed {
	return &ActionFeed{s: s, filter: f, since: since, now: time.Now}
}

// Next lists the actions now, followed by those that left the list since
// the previous call, in their final state.
func (fd *ActionFeed) Next(ctx context.Context) ([]Action, error) {
	list, err := fd.s.List(ctx, fd.filter)
	if err != nil {
		return nil, err
	}
	if fd.since > 0 {
		list = SubmittedSince(list, fd.now().Add(-fd.since))
	}
	seen := make(map[int64]bool, len(list))
	for _, a := range list {
		seen[a.ID] = true
	}
	if len(fd.filter.Statuses) > 0 {
		var gone []int64
		for id := range fd.last {
			if !seen[id] {
				gone = append(gone, id)
			}
		}
		slices.Sort(gone)
		for _, id := range gone[:min(len(gone), maxFeedLookups)] {
			a, err := fd.s.Get(ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				continue // gone for good: reported as removed
			}
			list = append(list, *a)
		}
	}
	fd.last = seen
	return list, nil
}
