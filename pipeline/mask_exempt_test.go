package pipeline

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/o2kit/o2kit"
)

// TestMaskLeavesAnonymisedIPs: an address already cut to its network (IPv4
// /24, IPv6 /48, as behavior.AnonymizeIP writes it) names no host and is
// kept; a host address, or one cut less far, is masked.
func TestMaskLeavesAnonymisedIPs(t *testing.T) {
	m := MaskPII()
	for _, tc := range []struct{ in, want string }{
		{"ip 203.0.113.0", "ip 203.0.113.0"},
		{"ip 203.0.113.7", "ip [ip]"},
		{"net 2001:db8:85a3::", "net 2001:db8:85a3::"},
		{"net 2001:db8:85a3::1", "net [ip]"},
		{"net 2001:db8:85a3:1::", "net [ip]"}, // a /64 still narrows to a site
		{"::ffff:203.0.113.0 ok", "::ffff:203.0.113.0 ok"},
		{"::ffff:203.0.113.9 ok", "[ip] ok"},
		{"ip 010.0.0.0", "ip [ip]"}, // not an address netip reads: masked to be safe
		{"from 10.1.2.0 to 10.1.2.3", "from 10.1.2.0 to [ip]"},
	} {
		assert.Equal(t, tc.want, m.MaskString(tc.in), tc.in)
	}
	for _, ip := range []string{"198.51.100.23", "2001:db8:1:2:3:4:5:6", "fe80::1"} {
		anon := anonymize(netip.MustParseAddr(ip)).String()
		assert.Equal(t, anon, m.MaskString(anon), "anonymised %s", anon)
		assert.Equal(t, "[ip]", m.MaskString(ip))
	}
}

// TestMaskExemptKeys: the values of exempt fields are not scanned, at any
// depth and in maps, but a field named as a secret is still masked.
func TestMaskExemptKeys(t *testing.T) {
	m := MaskPII(WithExemptKeys("order_ref", "clientIP", "geo", "password"))
	in := []slog.Attr{
		slog.String("order_ref", "4111 1111 1111 1111"),
		slog.String("client_ip", "203.0.113.7"),
		slog.Group("geo", slog.String("ip", "203.0.113.7")),
		slog.Group("req", slog.String("OrderRef", "13812345678"), slog.String("note", "13812345678")),
		slog.Any("m", map[string]any{"order_ref": "13812345678", "other": "13812345678"}),
		slog.Any("s", map[string]string{"order-ref": "13812345678", "other": "13812345678"}),
		slog.String("password", "hunter2"),
		slog.String("msg", "call 13812345678"),
	}
	out, err := m.Process(context.Background(), o2kit.Record{Attrs: in})
	assert.NoError(t, err)
	got := out.Attrs
	assert.Equal(t, "4111 1111 1111 1111", got[0].Value.String())
	assert.Equal(t, "203.0.113.7", got[1].Value.String())
	assert.Equal(t, in[2].Value, got[2].Value)
	assert.Equal(t, "13812345678", got[3].Value.Group()[0].Value.String())
	assert.Equal(t, "[phone]", got[3].Value.Group()[1].Value.String())
	assert.Equal(t, map[string]any{"order_ref": "13812345678", "other": "[phone]"}, got[4].Value.Any())
	assert.Equal(t, map[string]string{"order-ref": "13812345678", "other": "[phone]"}, got[5].Value.Any())
	assert.Equal(t, "[secret]", got[6].Value.String())
	assert.Equal(t, "call [phone]", got[7].Value.String())

	clean := o2kit.Record{Attrs: append(typicalAttrs(), slog.String("order_ref", "13812345678"))}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Process(context.Background(), clean) }))
}

func TestWithExemptKeysIgnoresEmptyNames(t *testing.T) {
	m := MaskPII(WithExemptKeys("", "  "))
	r := o2kit.Record{Attrs: []slog.Attr{slog.String("", "13812345678"), slog.String("x", "13812345678")}}
	out, _ := m.Process(context.Background(), r)
	assert.Equal(t, "[phone]", out.Attrs[0].Value.String())
	assert.Equal(t, "[phone]", out.Attrs[1].Value.String())
}

// anonymize cuts ip to its network as behavior.AnonymizeIP does: IPv4 to
// /24, IPv6 to /48 (a copy, so this package's tests do not build behavior).
func anonymize(ip netip.Addr) netip.Addr {
	bits := 48
	if ip.Is4() {
		bits = 24
	}
	p, _ := ip.Prefix(bits)
	return p.Addr()
}
