package alerting

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// notifyLogRetention is how long an entry of a group no longer held in
// memory is kept, Alertmanager's default notification log retention.
const notifyLogRetention = 120 * time.Hour

// notifyLogKey identifies what one entry records: the last notification
// of a group to a receiver at a tier.
type notifyLogKey struct {
	groupKey, receiver string
	tier               int
}

// notifyLogEntry is the last notification sent for a key: when, and which
// alerts it carried as firing and as resolved, by alertHash, sorted. It is
// what lets a restarted process tell a group it already notified from a
// new one.
type notifyLogEntry struct {
	GroupKey string    `json:"group_key"`
	Receiver string    `json:"receiver"`
	Tier     int       `json:"tier"`
	SentAt   time.Time `json:"sent_at"`
	Firing   []uint64  `json:"firing"`
	Resolved []uint64  `json:"resolved,omitempty"`
}

// key returns the entry's key in the log.
func (e *notifyLogEntry) key() notifyLogKey {
	return notifyLogKey{e.GroupKey, e.Receiver, e.Tier}
}

// notifyLog is the notification log, Alertmanager's nflog reduced to one
// process. The dispatcher's mutex guards it.
type notifyLog struct {
	m map[notifyLogKey]*notifyLogEntry
}

// get returns the entry for k, nil when there is none.
func (l *notifyLog) get(k notifyLogKey) *notifyLogEntry { return l.m[k] }

// record stores the notification just sent; one with no firing alert
// closes the group's history, so the entry goes.
func (l *notifyLog) record(e *notifyLogEntry) {
	if len(e.Firing) == 0 {
		delete(l.m, e.key())
		return
	}
	if l.m == nil {
		l.m = map[notifyLogKey]*notifyLogEntry{}
	}
	l.m[e.key()] = e
}

// entries returns the entries sorted by key, for a snapshot, after
// dropping those older than notifyLogRetention whose group is not live.
func (l *notifyLog) entries(now time.Time, live func(notifyLogKey) bool) []notifyLogEntry {
	out := make([]notifyLogEntry, 0, len(l.m))
	for k, e := range l.m {
		if now.Sub(e.SentAt) > notifyLogRetention && !live(k) {
			delete(l.m, k)
			continue
		}
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b notifyLogEntry) int {
		return cmp.Or(strings.Compare(a.GroupKey, b.GroupKey),
			strings.Compare(a.Receiver, b.Receiver), cmp.Compare(a.Tier, b.Tier))
	})
	return out
}

// restore replaces the log's entries.
func (l *notifyLog) restore(es []notifyLogEntry) {
	l.m = make(map[notifyLogKey]*notifyLogEntry, len(es))
	for _, e := range es {
		e.Firing = slices.Sorted(slices.Values(e.Firing))
		e.Resolved = slices.Sorted(slices.Values(e.Resolved))
		l.m[e.key()] = &e
	}
}

// notifyLogHash identifies an alert in the log by its ID (a fingerprint of its
// labels).
func notifyLogHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// hasFiring reports whether the entry's last notification carried the
// alert with hash h as firing.
func (e *notifyLogEntry) hasFiring(h uint64) bool {
	if e == nil {
		return false
	}
	_, ok := slices.BinarySearch(e.Firing, h)
	return ok
}

// notifyLogSubset reports whether every element of sub (sorted) is in set (sorted).
func notifyLogSubset(sub, set []uint64) bool {
	for _, h := range sub {
		if _, ok := slices.BinarySearch(set, h); !ok {
			return false
		}
	}
	return true
}

// flushState is what a group holds at a flush, after muting: the hashes
// of its firing alerts and of its resolved alerts that were last notified
// as firing, both sorted, and whether every firing alert is acknowledged.
type flushState struct {
	firing, resolved []uint64
	allAcked         bool
}

// needsNotify decides, as Alertmanager's dedup stage does, whether a group
// in state s is notified given its last notification e: the first
// notification of a firing group; new firing alerts; alerts resolved since;
// or, for an unchanged firing group not wholly acknowledged, the repeat
// interval passed.
func needsNotify(e *notifyLogEntry, s flushState, repeat time.Duration, now time.Time) bool {
	switch {
	case e == nil:
		return len(s.firing) > 0
	case !notifyLogSubset(s.firing, e.Firing):
		return true
	case len(s.firing) == 0:
		return len(e.Firing) > 0
	case !notifyLogSubset(s.resolved, e.Resolved):
		return true
	}
	return !s.allAcked && !now.Before(e.SentAt.Add(repeat))
}
