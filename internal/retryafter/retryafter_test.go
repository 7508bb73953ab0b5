package retryafter

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	limit := 5 * time.Minute
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"300", limit, true},
		{"301", limit, true},
		{"99999999999999999999999", limit, true},
		{date(10 * time.Second), 10 * time.Second, true},
		{now.Add(20 * time.Second).Format(time.RFC850), 20 * time.Second, true},
		{now.Add(30 * time.Second).Format(time.ANSIC), 30 * time.Second, true},
		{date(-time.Hour), 0, true},
		{date(48 * time.Hour), limit, true},
		{"", 0, false},
		{"-1", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"1e9", 0, false},
		{"soon", 0, false},
		{"2026-01-02T03:05:05", 0, false},
	} {
		got, ok := Parse(tt.in, now, limit)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "5", "-1", "18446744073709551616", "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := Parse(s, now, time.Minute)
		if d < 0 || d > time.Minute || (!ok && d != 0) {
			t.Fatalf("Parse(%q) = %v, %v", s, d, ok)
		}
	})
}
