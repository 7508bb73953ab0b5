package pipeline

import (
	"net/netip"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"contact jane.doe+news@example.co.uk now", "13812345678@qq.com", "张三的邮箱是zhang.san@163.com。",
	"call 13812345678 today", "tel: 138-1234-5678", "+86 138 1234 5678", "+1 (415) 555-0123.",
	"id 11010519491231002X ok", "card 4111 1111 1111 1111 exp", "amex 3782 822463 10005",
	"from 192.168.1.20:8080", "peer 2001:db8::ff00:42:8329 up", "::ffff:10.0.0.1",
	"Authorization: Bearer abcDEF123456._-~+/=", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x",
	"ORD-13812345678", "id 110105194912310021", "at 12:30:45", "a@b@c.io", "1.2.3.4.5",
}

// FuzzMask checks every strategy on any text: no panic, the text between
// matches kept as it was, and no matched value left in the output.
func FuzzMask(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	maskers := []*Masker{MaskPII(), MaskPII(WithStrategy(Partial())), MaskPII(WithStrategy(Hash([]byte("k"))))}
	f.Fuzz(func(t *testing.T, in string) {
		var matches []piiMatch
		rest := in // in with every match blanked out
		for m, ok := maskers[0].sc.next(in, 0); ok; m, ok = maskers[0].sc.next(in, m.end) {
			if m.start < 0 || m.end > len(in) || m.end <= m.start {
				t.Fatalf("bad span %+v in %q", m, in)
			}
			matches = append(matches, m)
		}
		for i := len(matches) - 1; i >= 0; i-- {
			rest = rest[:matches[i].start] + "\x00" + rest[matches[i].end:]
		}
		for _, mk := range maskers {
			out := mk.MaskString(in)
			if len(matches) == 0 && out != in {
				t.Fatalf("changed %q to %q without a match", in, out)
			}
			for _, m := range matches {
				v := in[m.start:m.end]
				if len(v) > 4 && !strings.Contains(rest, v) && strings.Contains(out, v) {
					t.Fatalf("%q leaks %q in %q", in, v, out)
				}
			}
		}
		if out := maskers[0].MaskString(in); maskers[0].MaskString(out) != out {
			t.Fatalf("redacting %q twice changed %q", in, out)
		}
	})
}

// FuzzValidIPv6 checks the scanner's IPv6 test against netip's parser.
func FuzzValidIPv6(f *testing.F) {
	for _, s := range []string{"::", "::1", "fe80::1", "2001:db8::ff00:42:8329", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1::2::3", "12:30:45"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, ".%") {
			return // netip refuses IPv4 parts with leading zeros, which the scanner masks anyway
		}
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is6()
		if got := validIPv6(s); got != want {
			t.Fatalf("validIPv6(%q) = %v, netip says %v", s, got, want)
		}
	})
}
