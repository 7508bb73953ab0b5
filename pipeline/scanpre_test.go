package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// FuzzScanShortcuts checks that the tests of scanpre.go, the whole-token
// skips and the start at firstTrigger lose no match: the scanner finds the
// same spans with and without them, and nothing in text firstTrigger
// finds no trigger in.
func FuzzScanShortcuts(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{
		"at 12:30:45 call 415-555-0123", "v 1 2.3 then 192.168.1.20", "3 items, 129.90 EUR, 138 1234 5678",
		"t 12:30 and 2001:db8:0:0:0:0:0:1", "x 1 y 2 z +86 138 1234 5678", "a 1 (415) 555-0123",
		"x1-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "ord-2026-11-30-000123/a@b.io", "0193a3c5-9f00-7000-8000-000000000000",
		"v1.2,13812345678", "a1-b.(415) 555-0123", "id7-eyJ", "k9.eyJ.eyJ.x",
	} {
		f.Add(s)
	}
	fast, exact := piiScanner{kinds: allKinds()}, piiScanner{kinds: allKinds(), exact: true}
	f.Fuzz(func(t *testing.T, in string) {
		m1, ok1 := fast.first(in, firstTrigger(in))
		m2, ok2 := exact.next(in, 0)
		if ok1 != ok2 || m1 != m2 || ok2 && firstTrigger(in) == len(in) {
			t.Fatalf("%q from its first trigger %d: %+v %v, exact %+v %v", in, firstTrigger(in), m1, ok1, m2, ok2)
		}
		for from := 0; from <= len(in); {
			m1, ok1 := fast.next(in, from)
			m2, ok2 := exact.next(in, from)
			if ok1 != ok2 || m1 != m2 {
				t.Fatalf("%q from %d: %+v %v, exact %+v %v", in, from, m1, ok1, m2, ok2)
			}
			if !ok1 {
				break
			}
			from = m1.end
		}
	})
}

func TestScanShortcutsRuleOut(t *testing.T) {
	assert.False(t, numbersAhead("129.90 EUR, ready at 12:30:45"))
	assert.True(t, numbersAhead("129.90 EUR, call 415-555-0123"))
	assert.True(t, numbersAhead("1 from 10.0.0.1"))
	assert.False(t, ipv6Ahead("ready at 12:30:45"))
	assert.True(t, ipv6Ahead("peer fe80::1"))
	assert.True(t, ipv6Ahead("1:2:3:4:5:6:7:8"))
}

// Text after a match is scanned as it is after the match's replacement, so
// masking twice changes nothing more.
func TestMaskTwiceSameAsOnce(t *testing.T) {
	m := MaskPII()
	for in, want := range map[string]string{
		":BeArer 00000000,BeArer 00000000":   ":BeArer [token],BeArer [token]",
		"jane@example.com,+86 138 1234 5678": "[email],[phone]",
	} {
		out := m.MaskString(in)
		assert.Equal(t, want, out)
		assert.Equal(t, out, m.MaskString(out))
	}
}

// FuzzNumberRun checks hasNumberRun, which reads a tenth of most text,
// against a plain count over every byte.
func FuzzNumberRun(f *testing.F) {
	for _, s := range []string{
		"129.90 EUR, ready at 12:30:45", "call 415-555-0123", "x1234567890", "123456789", "a 1 2 3 4 5 6 7 8 9 0",
		"(415) 555-0123", "9 ms, 10 items", "12345-67890 x", ".........1234567890",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, run := false, 0
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case isDigit(c):
				run++
			case !strings.ContainsRune(" -.()+", rune(c)):
				run = 0
			}
			want = want || run >= minNumberRun
		}
		if got := hasNumberRun(s); got != want {
			t.Fatalf("hasNumberRun(%q) = %v, want %v", s, got, want)
		}
	})
}
