package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNeedsNotify(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	entry := &notifyLogEntry{SentAt: t0, Firing: []uint64{1, 2}, Resolved: []uint64{5}}
	repeat := time.Hour
	for name, tc := range map[string]struct {
		e    *notifyLogEntry
		s    flushState
		at   time.Duration
		want bool
	}{
		"first, firing":          {nil, flushState{firing: []uint64{1}}, 0, true},
		"first, nothing firing":  {nil, flushState{resolved: []uint64{1}}, 0, false},
		"unchanged":              {entry, flushState{firing: []uint64{1, 2}}, time.Minute, false},
		"new alert":              {entry, flushState{firing: []uint64{1, 2, 3}}, time.Minute, true},
		"fewer firing":           {entry, flushState{firing: []uint64{1}}, time.Minute, false},
		"newly resolved":         {entry, flushState{firing: []uint64{1}, resolved: []uint64{2}}, time.Minute, true},
		"resolved, already sent": {entry, flushState{firing: []uint64{1}, resolved: []uint64{5}}, time.Minute, false},
		"all resolved":           {entry, flushState{resolved: []uint64{1, 2}}, time.Minute, true},
		"repeat due":             {entry, flushState{firing: []uint64{1, 2}}, time.Hour, true},
		"repeat not yet":         {entry, flushState{firing: []uint64{1, 2}}, time.Hour - time.Second, false},
		"repeat, all acked":      {entry, flushState{firing: []uint64{1, 2}, allAcked: true}, 2 * time.Hour, false},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, needsNotify(tc.e, tc.s, repeat, t0.Add(tc.at)))
		})
	}
}

func TestNotifyLogEntries(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var l notifyLog
	l.record(&notifyLogEntry{GroupKey: "b", Receiver: "r", SentAt: t0, Firing: []uint64{2}})
	l.record(&notifyLogEntry{GroupKey: "a", Receiver: "r", SentAt: t0, Firing: []uint64{1}})
	l.record(&notifyLogEntry{GroupKey: "old", Receiver: "r", SentAt: t0.Add(-200 * time.Hour), Firing: []uint64{1}})
	l.record(&notifyLogEntry{GroupKey: "live", Receiver: "r", SentAt: t0.Add(-200 * time.Hour), Firing: []uint64{1}})
	live := func(k notifyLogKey) bool { return k.groupKey == "live" }
	es := l.entries(t0, live)
	var keys []string
	for _, e := range es {
		keys = append(keys, e.GroupKey)
	}
	assert.Equal(t, []string{"a", "b", "live"}, keys, "sorted; old entries of gone groups dropped")

	l.record(&notifyLogEntry{GroupKey: "a", Receiver: "r", SentAt: t0})
	assert.Nil(t, l.get(notifyLogKey{"a", "r", 0}), "a notification with nothing firing closes the entry")

	var back notifyLog
	back.restore([]notifyLogEntry{{GroupKey: "x", Receiver: "r", Firing: []uint64{9, 3}}})
	e := back.get(notifyLogKey{"x", "r", 0})
	assert.True(t, e.hasFiring(3))
	assert.True(t, e.hasFiring(9))
	assert.False(t, e.hasFiring(4))
	assert.False(t, (*notifyLogEntry)(nil).hasFiring(3))
}
