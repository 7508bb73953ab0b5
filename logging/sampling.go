package logging

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// Sampling rate-limits repeated DEBUG and INFO records, as zap's sampler
// does: within each Tick, of the records with the same level and message,
// the First are kept, then every Thereafter-th (none when Thereafter is 0).
// WARN and ERROR records are never sampled. Time is the record's own, so a
// burst is judged by when its records were logged.
//
// The zero Sampling is off. A Tick of zero means one second.
type Sampling struct {
	First      int
	Thereafter int
	Tick       time.Duration
}

// samplerSlots is the number of counters; messages that hash alike share
// one, which can only make sampling stricter for them.
const samplerSlots = 4096

type sampler struct {
	first, thereafter uint64
	tick              int64
	slots             [samplerSlots]slot
}

// slot counts one message's records in the current tick.
type slot struct {
	resetAt atomic.Int64 // unix nanos when the current tick ends
	n       atomic.Uint64
}

func newSampler(s Sampling) *sampler {
	if s.First <= 0 && s.Thereafter <= 0 {
		return nil
	}
	tick := s.Tick
	if tick <= 0 {
		tick = time.Second
	}
	return &sampler{first: uint64(max(s.First, 0)), thereafter: uint64(max(s.Thereafter, 0)), tick: int64(tick)}
}

// keep reports whether r is kept.
func (s *sampler) keep(r slog.Record) bool {
	sl := &s.slots[hash(r.Level, r.Message)%samplerSlots]
	now := r.Time.UnixNano()
	if r.Time.IsZero() {
		now = time.Now().UnixNano()
	}
	n := sl.inc(now, s.tick)
	if n <= s.first {
		return true
	}
	return s.thereafter > 0 && (n-s.first)%s.thereafter == 0
}

// inc counts a record at now and returns its number within the tick.
func (sl *slot) inc(now, tick int64) uint64 {
	resetAt := sl.resetAt.Load()
	if now < resetAt {
		return sl.n.Add(1)
	}
	if sl.resetAt.CompareAndSwap(resetAt, now+tick) {
		sl.n.Store(1)
		return 1
	}
	return sl.n.Add(1)
}

// hash is FNV-1a of the message, mixed with the level.
func hash(l slog.Level, msg string) uint32 {
	h := uint32(2166136261) ^ uint32(l)
	for i := 0; i < len(msg); i++ {
		h ^= uint32(msg[i])
		h *= 16777619
	}
	return h
}
