package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/o2kit/o2kit"
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

// FuzzMaskRecord runs every strategy over a record built from any key and
// value, as a field, inside a group, a map, a slice and an error: no panic;
// a value under a key named as a secret comes out as the secret's mask
// wherever it sits, and any other value exactly as MaskString masks the
// text (which FuzzMask holds to leaking nothing).
func FuzzMaskRecord(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]string{"msg", "password", "clientIP", "Authorization"}[i%4], s)
	}
	maskers := []*Masker{MaskPII(), MaskPII(WithStrategy(Partial())), MaskPII(WithStrategy(Hash([]byte("k"))))}
	f.Fuzz(func(t *testing.T, key, value string) {
		if key == "" || key == "list" {
			return // an empty key inlines the field; "list" is the map's own key
		}
		in := []slog.Attr{
			slog.String(key, value),
			slog.Group("g", slog.String(key, value)),
			slog.Any("m", map[string]any{key: value, "list": []any{value}}),
			slog.Any("e", errors.New(value)),
		}
		for _, mk := range maskers {
			out, err := mk.Process(context.Background(), o2kit.Record{Attrs: in})
			if err != nil {
				t.Fatal(err)
			}
			keyed := mk.MaskString(value)
			if mk.secrets.match(key) {
				keyed = mk.secret(slog.StringValue(value))
				if mk.mode != hashMode && keyed != "[secret]" {
					t.Fatalf("secret %q masked as %q", value, keyed)
				}
			}
			m := out.Attrs[2].Value.Any().(map[string]any)
			got := []string{
				out.Attrs[0].Value.String(), out.Attrs[1].Value.Group()[0].Value.String(),
				textOf(m[key]), textOf(m["list"].([]any)[0]), textOf(out.Attrs[3].Value.Any()),
			}
			want := []string{keyed, keyed, keyed, mk.MaskString(value), mk.MaskString(value)}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%q=%q: place %d holds %q, want %q", key, value, i, got[i], want[i])
				}
			}
		}
	})
}

// textOf is the text of a string or an error, as the masker reads it.
func textOf(x any) string {
	if err, ok := x.(error); ok {
		return err.Error()
	}
	return x.(string)
}
