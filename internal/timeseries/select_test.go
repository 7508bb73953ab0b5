package timeseries

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromStrings(t *testing.T) {
	ls, err := FromStrings("method", "GET", "code", "200", "method", "POST")
	require.NoError(t, err)
	assert.Equal(t, Labels{{"code", "200"}, {"method", "POST"}}, ls, "sorted, last value wins")
	assert.Equal(t, "POST", ls.Get("method"))
	assert.Equal(t, "", ls.Get("missing"))
	assert.Equal(t, `{code="200", method="POST"}`, ls.String())
	assert.Equal(t, "{}", Labels(nil).String())

	long, err := FromStrings("a", "1", "b", "2", "c", "3", "d", "4", "e", "5",
		"f", "6", "g", "7", "h", "8", "i", "9", "j", "10")
	require.NoError(t, err)
	assert.Equal(t, "9", long.Get("i"), "binary search on long sets")
	assert.Equal(t, "", long.Get("zz"))

	_, err = FromStrings("odd")
	assert.ErrorIs(t, err, ErrInvalidLabels)
}

func TestHashSeparatesFields(t *testing.T) {
	a := hashSeries("m", Labels{{"a", "bc"}})
	b := hashSeries("m", Labels{{"ab", "c"}})
	c := hashSeries("ma", Labels{{"", "bc"}})
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, a, c)
}

func TestMatchers(t *testing.T) {
	ls := mustLabels(t, "env", "prod", "code", "503")
	re5xx, err := Regexp("code", "5..")
	require.NoError(t, err)
	notProd, err := NotRegexp("env", "prod|staging")
	require.NoError(t, err)
	partial, err := Regexp("code", "5")
	require.NoError(t, err)
	tests := []struct {
		name string
		m    Matcher
		want bool
	}{
		{"equal", Equal("env", "prod"), true},
		{"equal other", Equal("env", "dev"), false},
		{"equal missing is empty", Equal("region", ""), true},
		{"not equal", NotEqual("env", "dev"), true},
		{"not equal same", NotEqual("env", "prod"), false},
		{"regexp", re5xx, true},
		{"regexp anchored", partial, false},
		{"not regexp", notProd, false},
		{"func", MatcherFunc(func(l Labels) bool { return len(l) == 2 }), true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Matches(ls), tt.name)
	}
	dot, err := Regexp("path", "a.b")
	require.NoError(t, err)
	assert.True(t, dot.Matches(Labels{{"path", "a\nb"}}), "dot matches a newline, as in Prometheus")

	_, err = Regexp("x", "(")
	assert.Error(t, err)
	_, err = NotRegexp("x", "[")
	assert.Error(t, err)
}

// TestSelectLabelsAreSeparate checks that the labels of results, cloned
// into shared chunks, do not overwrite each other when a caller appends.
func TestSelectLabelsAreSeparate(t *testing.T) {
	st := newStore(t)
	for i := range 50 {
		require.NoError(t, st.Append("m", Labels{{"i", fmt.Sprintf("%02d", i)}}, 1, 1))
	}
	got := st.Select("m", 0, 10)
	require.Len(t, got, 50)
	got[0].Labels = append(got[0].Labels, Label{"extra", "x"})
	got[0].Labels[0].Value = "changed"
	assert.Equal(t, "01", got[1].Labels.Get("i"))
	pts := st.Eval(Last, "m", 10, time.Minute)
	require.Len(t, pts, 50)
	for i, p := range pts {
		assert.Equal(t, Labels{{"i", fmt.Sprintf("%02d", i)}}, p.Labels)
	}
}

func TestSelectResultIsACopy(t *testing.T) {
	st := newStore(t)
	ls := mustLabels(t, "a", "1")
	require.NoError(t, st.Append("m", ls, 1, 1))
	ls[0].Value = "changed" // the store keeps its own copy
	got := st.Select("m", 0, 10)
	require.Len(t, got, 1)
	assert.Equal(t, "1", got[0].Labels.Get("a"))
	got[0].Samples[0].V = 99
	got[0].Labels[0].Value = "x"
	again := st.Select("m", 0, 10)
	assert.Equal(t, 1.0, again[0].Samples[0].V)
	assert.Equal(t, "1", again[0].Labels.Get("a"))
}

// TestConcurrentAppendSelect runs writers, readers and DropIdle at once;
// under -race it checks the locking, and at the end that no sample of a
// live series was lost.
func TestConcurrentAppendSelect(t *testing.T) {
	const writers, series, ticks = 4, 8, 200
	st := newStore(t, WithCapacity(ticks))
	var writing, reading sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for tick := range int64(ticks) {
				for i := range series {
					ls := Labels{{"s", fmt.Sprint(i)}, {"w", fmt.Sprint(w)}}
					assert.NoError(t, st.Append("m", ls, tick, float64(tick)))
				}
			}
		})
	}
	stop := make(chan struct{})
	for range 2 {
		reading.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, s := range st.Select("m", 0, ticks, Equal("s", "3")) {
					assertSorted(t, s.Samples)
				}
				st.Eval(Rate, "m", ticks, time.Hour)
				st.DropIdle(-1) // drops nothing: every timestamp is >= 0
				_ = st.Len()
			}
		})
	}
	writing.Wait()
	close(stop)
	reading.Wait()
	require.Equal(t, writers*series, st.Len())
	for _, s := range st.Select("m", 0, ticks) {
		assert.Len(t, s.Samples, ticks, "series %v", s.Labels)
	}
}

// TestConcurrentEviction churns through more series than the cap from
// several goroutines while others read: the cap holds throughout.
func TestConcurrentEviction(t *testing.T) {
	const maxSeries = 16
	st := newStore(t, WithMaxSeries(maxSeries), WithEvictOldest(), WithCapacity(4))
	var writing, reading sync.WaitGroup
	for w := range 3 {
		writing.Go(func() {
			for i := range int64(300) {
				ls := Labels{{"id", fmt.Sprint(i % 40)}, {"w", fmt.Sprint(w)}}
				assert.NoError(t, st.Append("m", ls, i, 1))
			}
		})
	}
	stop := make(chan struct{})
	reading.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			assert.LessOrEqual(t, len(st.Select("m", 0, 1000)), maxSeries)
			assert.LessOrEqual(t, st.Len(), maxSeries)
		}
	})
	writing.Wait()
	close(stop)
	reading.Wait()
	assert.Equal(t, maxSeries, st.Len())
}

// TestConcurrentCreateSameSeries has many goroutines create one series at
// once: exactly one series must result.
func TestConcurrentCreateSameSeries(t *testing.T) {
	st := newStore(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_ = st.Append("m", Labels{{"a", "1"}}, int64(i), 1)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, st.Len())
}

func assertSorted(t *testing.T, s []Sample) {
	for i := 1; i < len(s); i++ {
		if s[i-1].T >= s[i].T {
			t.Errorf("samples out of order at %d: %v", i, s[i-1:i+1])
			return
		}
	}
}
