package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/o2kit/o2kit"
)

// Deduper drops repeats of a record within a window. Create it with
// [Dedupe].
type Deduper struct {
	window time.Duration
	keys   []fieldPath // nil: every field
	now    func() time.Time
	seed   maphash.Seed
	max    int

	mu    sync.Mutex           // guards seen and order
	seen  map[uint64]time.Time // key hash to when it was first seen
	order []seenEntry          // ring of the keys in the order they were first seen
	head  int                  // index of the oldest entry in order
	n     int                  // entries in order

	dropped atomic.Int64
}

type seenEntry struct {
	key uint64
	at  time.Time
}

var (
	_ o2kit.Processor     = (*Deduper)(nil)
	_ o2kit.StatsReporter = (*Deduper)(nil)
)

// Dedupe returns a processor that drops a record (with [o2kit.ErrDrop])
// when one with the same stream and key was first seen less than window
// ago. The key is every field, or the fields of [WithKeyFields]; records
// are compared by a 64-bit hash of it. Dedupe remembers at most
// [WithMaxKeys] keys (default 10 000), forgetting the oldest first, and
// reads time from [WithClock]. It returns an error for a window of zero or
// less or a bound below 1.
func Dedupe(window time.Duration, opts ...Option) (*Deduper, error) {
	cfg := newConfig(opts)
	if window <= 0 {
		return nil, errors.New("pipeline: dedupe window must be positive")
	}
	if cfg.maxKeys < 1 {
		return nil, errors.New("pipeline: dedupe must remember at least one key")
	}
	d := &Deduper{
		window: window, now: cfg.now, seed: maphash.MakeSeed(), max: cfg.maxKeys,
		seen: make(map[uint64]time.Time), order: make([]seenEntry, cfg.maxKeys),
	}
	for _, k := range cfg.keyFields {
		d.keys = append(d.keys, parsePath(k))
	}
	return d, nil
}

// Process drops r when it repeats a record seen within the window.
func (d *Deduper) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	key := d.key(r)
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire(now)
	if at, ok := d.seen[key]; ok && now.Sub(at) < d.window {
		d.dropped.Add(1)
		return r, o2kit.ErrDrop
	}
	if d.n == d.max {
		d.forgetOldest()
	}
	d.seen[key] = now
	d.order[(d.head+d.n)%d.max] = seenEntry{key, now}
	d.n++
	return r, nil
}

// expire forgets the keys first seen a window or more before now.
func (d *Deduper) expire(now time.Time) {
	for d.n > 0 && now.Sub(d.order[d.head].at) >= d.window {
		d.forgetOldest()
	}
}

func (d *Deduper) forgetOldest() {
	e := d.order[d.head]
	if at, ok := d.seen[e.key]; ok && at.Equal(e.at) {
		delete(d.seen, e.key)
	}
	d.head = (d.head + 1) % d.max
	d.n--
}

// Len returns the number of keys remembered now.
func (d *Deduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

// ProcessorStats returns "dedupe:dropped".
func (d *Deduper) ProcessorStats() map[string]int64 {
	return map[string]int64{"dedupe:dropped": d.dropped.Load()}
}

// key hashes r's stream and key fields.
func (d *Deduper) key(r o2kit.Record) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	h.WriteString(r.Stream)
	if d.keys == nil {
		hashAttrs(&h, r.Attrs, 0)
		return h.Sum64()
	}
	for _, p := range d.keys {
		v, ok := findAttr(r.Attrs, p)
		h.WriteByte(0xff)
		if ok {
			hashValue(&h, v, 0)
		}
	}
	return h.Sum64()
}

func hashAttrs(h *maphash.Hash, attrs []slog.Attr, depth int) {
	for _, a := range attrs {
		h.WriteString(a.Key)
		h.WriteByte(0)
		hashValue(h, a.Value, depth)
	}
}

// hashValue writes v, tagged by its kind, to h.
func hashValue(h *maphash.Hash, v slog.Value, depth int) {
	v = v.Resolve()
	h.WriteByte(byte(v.Kind()))
	var b [8]byte
	switch v.Kind() {
	case slog.KindString:
		h.WriteString(v.String())
		h.WriteByte(0)
	case slog.KindInt64:
		h.Write(binary.LittleEndian.AppendUint64(b[:0], uint64(v.Int64())))
	case slog.KindDuration:
		h.Write(binary.LittleEndian.AppendUint64(b[:0], uint64(v.Duration())))
	case slog.KindUint64:
		h.Write(binary.LittleEndian.AppendUint64(b[:0], v.Uint64()))
	case slog.KindFloat64:
		h.Write(binary.LittleEndian.AppendUint64(b[:0], math.Float64bits(v.Float64())))
	case slog.KindBool:
		if v.Bool() {
			h.WriteByte(1)
		} else {
			h.WriteByte(0)
		}
	case slog.KindTime:
		h.Write(binary.LittleEndian.AppendUint64(b[:0], uint64(v.Time().UnixNano())))
	case slog.KindGroup:
		if depth < 64 {
			hashAttrs(h, v.Group(), depth+1)
		}
		h.WriteByte(0xfe)
	default:
		h.WriteString(v.String())
		h.WriteByte(0)
	}
}
