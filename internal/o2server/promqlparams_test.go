package o2server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases of parse_milliseconds' own tests, plus its quirks.
func TestParseMillis(t *testing.T) {
	for in, want := range map[string]uint64{
		"123": 123000, "0": 0, "": 0, "1s": 1000, "1m": 60 * 1000, "1h": 3600 * 1000,
		"1d": 24 * 3600 * 1000, "1w": 7 * 24 * 3600 * 1000, "1y": 365 * 24 * 3600 * 1000,
		"1h10m30s": 4230000, "1h10m30s10ms": 4230010, "1ms": 1, "100ms": 100, "1s1ms": 1001,
		"1m1s1ms": 61001, "2d3h4m5s": 183845000, "1w1d": 691200000, "1y1w1d": 32227200000,
		"1m30":                    60000, // digits after the last unit are ignored
		"99999999999999999999":    0,     // an overflowing integer reads as zero
		"1m99999999999999999999s": 60000,
	} {
		got, err := parseMillis(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for in, msg := range map[string]string{
		"abc": "Invalid time format: a", "s": "Invalid time format: s", "10z": "Invalid time format: z",
		"15.5": "Invalid time format: .", "-1": "Invalid time format: -", "1s1h": "Invalid time format: h",
		"1ms1s": "Invalid time format: s", "1m é": "Invalid time format:  ", "5é": "Invalid time format: é",
	} {
		_, err := parseMillis(in)
		require.Error(t, err, in)
		assert.Equal(t, msg, err.Error(), in)
	}
	_, err := parseMillis("1s1m")
	assert.ErrorIs(t, err, errDurationPanic, "a smaller unit before m panics in the server")
}

func TestRoundStep(t *testing.T) {
	s := time.Second.Microseconds()
	for in, want := range map[int64]int64{
		0: 15 * s, 500: 500, 5 * s: 5 * s, 5*s + 300: 5 * s, 23 * s: 20 * s, 90 * s: 60 * s,
		120 * s: 120 * s, 10 * s: 10 * s, 11 * s: 10 * s, 61 * s: 60 * s,
	} {
		assert.Equal(t, want, roundStep(in), in)
	}
}

func TestAdjustStartEnd(t *testing.T) {
	for _, tc := range []struct{ start, end, step, wantStart, wantEnd int64 }{
		{0, 80, 10, 0, 80},       // too few points to align
		{105, 205, 10, 100, 200}, // aligned, same number of points
		{100, 200, 10, 100, 200},
		{13, 127, 10, 10, 120},
		{200, 100, 10, 200, 100}, // reversed ranges are left alone
	} {
		s, e := adjustStartEnd(tc.start, tc.end, tc.step)
		assert.Equal(t, [2]int64{tc.wantStart, tc.wantEnd}, [2]int64{s, e}, tc)
		if tc.end-tc.start >= 9*tc.step {
			assert.Equal(t, (tc.end-tc.start)/tc.step, (e-s)/tc.step, "points kept")
		}
	}
}

func TestSearchTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		set  bool
		want int64
	}{{"", false, 0}, {"30s", true, 30}, {"2m", true, 120}, {"1500ms", true, 1}, {"15.5", true, 0}, {"90", true, 90}} {
		got, err := searchTimeout(tc.in, tc.set)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.in)
	}
	_, err := searchTimeout("1s1m", true)
	assert.ErrorIs(t, err, errDurationPanic)
}

func TestParsePromTime(t *testing.T) {
	s := New(WithClock(func() time.Time { return testNow }))
	t.Cleanup(func() { _ = s.Close() })
	base := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"1609459200":                     base,
		"1609459200000":                  base,
		"1609459200000000":               base,
		"1609459200000000000":            base,
		"1609459200.999":                 base, // float seconds are truncated
		"2021-01-01T00:00:00Z":           base,
		"2021-01-01T08:00:00+08:00":      base,
		"2021-01-01T00:00:00.123Z":       base.Add(123 * time.Millisecond),
		"2021-01-01 00:00:00":            base,
		"2021-01-01T00:00:00.123456":     base.Add(123456 * time.Microsecond),
		"Fri, 1 Jan 2021 00:00:00 +0000": base,
		"0":                              testNow,
	} {
		got, err := s.parsePromTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, want.UnixMicro(), got, in)
	}
	for _, in := range []string{"", "now", "2021-13-01T00:00:00Z", "1h"} {
		_, err := s.parsePromTime(in)
		require.Error(t, err, in)
		assert.Equal(t, "invalid time format [string]", err.Error())
	}
}

func TestFormDecode(t *testing.T) {
	for in, want := range map[string]string{
		"a+b": "a b", "%41%42": "AB", "%zz": "%zz", "%4": "%4", "%": "%", "rate(x%5B5m%5D)": "rate(x[5m])",
		"%ff": "\uFFFD", "plain": "plain",
	} {
		assert.Equal(t, want, formDecode(in), in)
	}
	p, msg := decodeParams("query=up&x=1&&time=5", []string{"query", "time"}, nil)
	assert.Empty(t, msg)
	assert.Equal(t, promParams{"query": "up", "time": "5"}, p)
	_, msg = decodeParams("use_cache=yes", []string{"use_cache"}, []string{"use_cache"})
	assert.Equal(t, "use_cache: provided string was not `true` or `false`", msg)
}

func FuzzParseMillis(f *testing.F) {
	for _, s := range []string{"1h10m30s10ms", "15.5", "1ms1s", "1s1m", "", "99", "1y1w1d", "mé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := parseMillis(s)
		if err != nil {
			return
		}
		again, err := parseMillis(s)
		if err != nil || again != ms {
			t.Fatalf("parseMillis(%q) not stable", s)
		}
	})
}

func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{"query=up&time=1", "match[]=a&match[]=b", "%zz=%41", "use_cache=true", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, msg := decodeParams(s, []string{"query", "time", "match[]", "use_cache"}, []string{"use_cache"})
		if msg != "" {
			return
		}
		for k := range p {
			if k != "query" && k != "time" && k != "match[]" && k != "use_cache" {
				t.Fatalf("unknown key %q kept", k)
			}
		}
	})
}
