package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// Sampler keeps a share of records and drops the rest; records at error
// level or above are always kept. Create it with [Sample].
type Sampler struct {
	rate        float64
	streamRates map[string]float64 // raw and normalised names
	levelRates  map[slog.Level]float64
	levelKey    string
	random      func() float64
	normal      streamNames

	kept, dropped atomic.Int64
}

var (
	_ o2kit.Processor     = (*Sampler)(nil)
	_ o2kit.StatsReporter = (*Sampler)(nil)
)

// Sample returns a processor that keeps each record with probability
// rate, or the rate [WithStreamRate] sets for its stream, or the one
// [WithLevelRate] sets for its level, in that order of precedence. Records
// at slog.LevelError or above (read from the field [WithLevelKey] names)
// are never dropped. Dropped records are returned as [o2kit.ErrDrop], so
// the client counts them as Filtered. Sample returns an error for a rate
// outside [0, 1].
func Sample(rate float64, opts ...Option) (*Sampler, error) {
	cfg := newConfig(opts)
	s := &Sampler{rate: rate, levelRates: cfg.levelRates, levelKey: cfg.levelKey, random: cfg.random}
	if s.random == nil {
		s.random = rand.Float64
	}
	rates := []float64{rate}
	s.streamRates = make(map[string]float64, 2*len(cfg.streamRates))
	for name, r := range cfg.streamRates {
		s.streamRates[name], s.streamRates[norm.StreamName(name)] = r, r
		rates = append(rates, r)
	}
	for _, r := range cfg.levelRates {
		rates = append(rates, r)
	}
	for _, r := range rates {
		if !(r >= 0 && r <= 1) {
			return nil, fmt.Errorf("pipeline: sample rate %v is outside [0, 1]", r)
		}
	}
	return s, nil
}

// Process keeps r or drops it with [o2kit.ErrDrop].
func (s *Sampler) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	level, ok := levelOf(r.Attrs, s.levelKey)
	if !ok {
		level = slog.LevelInfo
	}
	rate := s.rateFor(r.Stream, level)
	if level >= slog.LevelError || rate >= 1 || rate > 0 && s.random() < rate {
		s.kept.Add(1)
		return r, nil
	}
	s.dropped.Add(1)
	return r, o2kit.ErrDrop
}

func (s *Sampler) rateFor(stream string, level slog.Level) float64 {
	if len(s.streamRates) > 0 {
		if r, ok := s.streamRates[stream]; ok {
			return r
		}
		if r, ok := s.streamRates[s.normal.of(stream)]; ok {
			return r
		}
	}
	if r, ok := s.levelRates[level]; ok {
		return r
	}
	return s.rate
}

// ProcessorStats returns "sample:kept" and "sample:dropped".
func (s *Sampler) ProcessorStats() map[string]int64 {
	return map[string]int64{"sample:kept": s.kept.Load(), "sample:dropped": s.dropped.Load()}
}

// levelOf reads the level of a record from its top-level field key.
func levelOf(attrs []slog.Attr, key string) (slog.Level, bool) {
	if v, ok := findAttr(attrs, fieldPath{key}); ok {
		return parseLevel(v.Resolve())
	}
	return 0, false
}

// parseLevel reads a level written as a slog.Level, a number or a name
// ("warn", "WARNING", "ERROR+2", "fatal").
func parseLevel(v slog.Value) (slog.Level, bool) {
	switch v.Kind() {
	case slog.KindInt64:
		return slog.Level(v.Int64()), true
	case slog.KindAny:
		if l, ok := v.Any().(slog.Leveler); ok {
			return l.Level(), true
		}
	case slog.KindString:
		return levelName(v.String())
	}
	return 0, false
}

var levelNames = []struct {
	name  string
	level slog.Level
}{
	{"trace", slog.LevelDebug - 4}, {"debug", slog.LevelDebug}, {"info", slog.LevelInfo},
	{"warning", slog.LevelWarn}, {"warn", slog.LevelWarn}, {"error", slog.LevelError},
	{"critical", slog.LevelError + 4}, {"fatal", slog.LevelError + 4}, {"panic", slog.LevelError + 8},
}

func levelName(s string) (slog.Level, bool) {
	for _, n := range levelNames {
		if !hasPrefixFold(s, n.name) {
			continue
		}
		rest := s[len(n.name):]
		if rest == "" {
			return n.level, true
		}
		if len(rest) < 2 || (rest[0] != '+' && rest[0] != '-') || skipDigits(rest, 1) != len(rest) || len(rest) > 4 {
			return 0, false
		}
		off := slog.Level(atoi(rest[1:]))
		if rest[0] == '-' {
			off = -off
		}
		return n.level + off, true
	}
	return 0, false
}
