package alerting

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/prometheus/model/labels"
)

// silenceRetention is how long an expired silence stays listed.
const silenceRetention = 24 * time.Hour

// silenceStore holds the silences with their matchers parsed. It is not
// safe for concurrent use; the dispatcher's mutex guards it.
type silenceStore struct {
	list []*silenceEntry // in creation order
}

type silenceEntry struct {
	s  Silence
	ms []*labels.Matcher
}

// compileSilence checks s and parses its matchers.
func compileSilence(s Silence) (*silenceEntry, error) {
	if len(s.Matchers) == 0 {
		return nil, errors.New("alerting: silence needs at least one matcher")
	}
	ms, err := parseMatchers(s.Matchers)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(ms, func(m *labels.Matcher) bool { return !m.Matches("") }) {
		// As Alertmanager: a silence must not select every alert.
		return nil, errors.New("alerting: silence needs a matcher that does not match the empty value")
	}
	if !s.EndsAt.After(s.StartsAt) {
		return nil, fmt.Errorf("alerting: silence ends at %s, not after its start %s",
			s.EndsAt.Format(time.RFC3339), s.StartsAt.Format(time.RFC3339))
	}
	return &silenceEntry{s: s, ms: ms}, nil
}

// add stores a new silence with a fresh ID; a zero StartsAt means now.
func (st *silenceStore) add(s Silence, now time.Time) (Silence, error) {
	if s.StartsAt.IsZero() {
		s.StartsAt = now
	}
	s.ID = uuid.NewString()
	e, err := compileSilence(s)
	if err != nil {
		return Silence{}, err
	}
	st.gc(now)
	st.list = append(st.list, e)
	return e.s, nil
}

// expire ends the silence id now. A silence that has not started yet
// starts and ends now, as Alertmanager does.
func (st *silenceStore) expire(id string, now time.Time) error {
	for _, e := range st.list {
		if e.s.ID != id {
			continue
		}
		if !e.s.EndsAt.After(now) {
			return fmt.Errorf("%w: silence %q has expired", ErrNotFound, id)
		}
		if e.s.StartsAt.After(now) {
			e.s.StartsAt = now
		}
		e.s.EndsAt = now
		return nil
	}
	return fmt.Errorf("%w: silence %q", ErrNotFound, id)
}

// all returns copies of the silences, expired ones included until
// silenceRetention after their end.
func (st *silenceStore) all(now time.Time) []Silence {
	st.gc(now)
	out := make([]Silence, 0, len(st.list))
	for _, e := range st.list {
		s := e.s
		s.Matchers = append([]string(nil), s.Matchers...)
		out = append(out, s)
	}
	return out
}

// gc drops silences that ended more than silenceRetention ago.
func (st *silenceStore) gc(now time.Time) {
	cutoff := now.Add(-silenceRetention)
	keep := st.list[:0]
	for _, e := range st.list {
		if e.s.EndsAt.After(cutoff) {
			keep = append(keep, e)
		}
	}
	clear(st.list[len(keep):])
	st.list = keep
}

// mutes returns the IDs of the silences active at now whose matchers
// select ls, and the earliest end among them (zero when none).
func (st *silenceStore) mutes(ls map[string]string, now time.Time) (ids []string, until time.Time) {
	for _, e := range st.list {
		if !e.s.Active(now) || !matchAll(e.ms, ls) {
			continue
		}
		ids = append(ids, e.s.ID)
		if until.IsZero() || e.s.EndsAt.Before(until) {
			until = e.s.EndsAt
		}
	}
	return ids, until
}

// restore replaces the silences with list, skipping (and returning the
// errors of) those that no longer parse.
func (st *silenceStore) restore(list []Silence, now time.Time) error {
	var errs []error
	st.list = nil
	for _, s := range list {
		e, err := compileSilence(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("silence %q: %w", s.ID, err))
			continue
		}
		st.list = append(st.list, e)
	}
	st.gc(now)
	return errors.Join(errs...)
}
