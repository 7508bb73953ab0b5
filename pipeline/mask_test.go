package pipeline

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestMaskStringRedact(t *testing.T) {
	m := MaskPII()
	for _, tc := range []struct{ in, want string }{
		// E-mail addresses.
		{"contact jane.doe+news@example.co.uk now", "contact [email] now"},
		{"13812345678@qq.com", "[email]"},
		{"张三的邮箱是zhang.san@163.com。", "张三的邮箱是[email]。"},
		{"user@localhost", "user@localhost"},
		{"a@b.c", "a@b.c"},
		{"@example.com", "@example.com"},
		// Phone numbers.
		{"call 13812345678 today", "call [phone] today"},
		{"手机号13912345678，谢谢", "手机号[phone]，谢谢"},
		{"tel: 138-1234-5678", "tel: [phone]"},
		{"tel: 138 1234 5678", "tel: [phone]"},
		{"+86 138 1234 5678", "[phone]"},
		{"8613812345678", "[phone]"},
		{"+1 (415) 555-0123.", "[phone]."},
		{"(415) 555-0123", "[phone]"},
		{"415-555-0123", "[phone]"},
		{"+44 20 7946 0958", "[phone]"},
		// Identity cards and bank cards.
		{"id 11010519491231002X ok", "id [cn_id] ok"},
		{"id 11010519491231002x", "id [cn_id]"},
		{"身份证440306199003071232", "身份证[cn_id]"},
		{"card 4111111111111111", "card [bank_card]"},
		{"card 4111 1111 1111 1111 exp", "card [bank_card] exp"},
		{"card 4111-1111-1111-1111", "card [bank_card]"},
		{"amex 3782 822463 10005", "amex [bank_card]"},
		{"unionpay 6217001234567890122", "unionpay [bank_card]"},
		// Addresses and credentials.
		{"from 192.168.1.20:8080", "from [ip]:8080"},
		{"peer 2001:db8::ff00:42:8329 up", "peer [ip] up"},
		{"fe80::1", "[ip]"},
		{"::ffff:10.0.0.1", "[ip]"},
		{"Authorization: Bearer abcDEF123456._-~+/=", "Authorization: Bearer [token]"},
		{"basic dXNlcjpwYXNzd29yZA==", "basic [token]"},
		{"t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x", "t=[jwt]"},
		{"two: a@b.io, 13812345678", "two: [email], [phone]"},
	} {
		assert.Equal(t, tc.want, m.MaskString(tc.in), tc.in)
	}
}

func TestMaskNearMisses(t *testing.T) {
	m := MaskPII()
	for _, in := range []string{
		"order 12345678901 shipped",                 // eleven digits, no mobile prefix
		"order 10012345678",                         // 1 then 0
		"ORD-13812345678",                           // a mobile inside an identifier
		"order13812345678",                          // glued to a word
		"138123456789",                              // twelve digits
		"3.13812345678",                             // a decimal
		"id 110105194912310021",                     // wrong check digit
		"id 110105194913310028",                     // month 13
		"id 91010519491231002X",                     // region code 9
		"card 4111111111111112",                     // fails Luhn
		"card 4111 1111 1111 1112",                  // grouped, fails Luhn
		"ts 1795599000000123",                       // a time in µs: no card prefix
		"version 1.2.3.4.5",                         // not an address
		"999.1.1.1",                                 // octet out of range
		"at 12:30:45",                               // a time
		"mac aa:bb:cc:dd:ee:ff",                     // not IPv6
		"std::vector",                               // not IPv6
		"bearer of bad news",                        // too short to be a token
		"eyJ not a token",                           // not a JWT
		"xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", // a JWT's shape inside a word
		"2026-11-30",                                // a date
		"123-456-7890",                              // area code starting 1
		"+12 34",                                    // too short
		"amounts 1,234,567.89 and 41111111",         // numbers
	} {
		assert.Equal(t, in, m.MaskString(in), in)
	}
}

func TestMaskStrategies(t *testing.T) {
	partial := MaskPII(WithStrategy(Partial()))
	for _, tc := range []struct{ in, want string }{
		{"jane.doe@example.com", "j***@example.com"},
		{"13812345678", "138****5678"},
		{"+86 138 1234 5678", "+** *** **** 5678"},
		{"11010519491231002X", "110***********002X"},
		{"4111 1111 1111 1111", "**** **** **** 1111"},
		{"192.168.1.20", "192.168.*.*"},
		{"2001:db8::1", "2001:*"},
		{"Bearer abcdefghijkl", "Bearer abcd****"},
	} {
		assert.Equal(t, tc.want, partial.MaskString(tc.in), tc.in)
	}
	hashed := MaskPII(WithStrategy(Hash([]byte("k"))))
	a := hashed.MaskString("Jane@Example.com")
	assert.Regexp(t, `^email:[0-9a-f]{16}$`, a)
	assert.Equal(t, a, hashed.MaskString("jane@example.com"), "hashes join across case")
	assert.Equal(t, hashed.MaskString("4111111111111111"), hashed.MaskString("4111 1111 1111 1111"))
	other := MaskPII(WithStrategy(Hash([]byte("other key"))))
	assert.NotEqual(t, a, other.MaskString("jane@example.com"))
}

func TestMaskKinds(t *testing.T) {
	m := MaskPII(WithKinds(KindEmail))
	assert.Equal(t, "[email] 13812345678", m.MaskString("a@b.io 13812345678"))
}

func TestMaskRecord(t *testing.T) {
	m := MaskPII(WithSecretKeys("pin"))
	in := []slog.Attr{
		slog.String("msg", "login by jane@example.com"),
		slog.Int("count", 3),
		slog.String("db_password", "hunter2"),
		slog.Int("PIN", 1234),
		slog.Any("err", errAt("13812345678")),
		slog.Group("user", slog.String("phone", "13812345678"), slog.String("apiKey", "k")),
		slog.Any("lazy", lazy("ip 10.1.2.3")),
		slog.Int("max_tokens", 100),
		slog.Group("auth", slog.String("user", "a@b.io"), slog.String("method", "sso")),
	}
	orig := append([]slog.Attr(nil), in...)
	out, err := m.Process(context.Background(), o2kit.Record{Stream: "s", Attrs: in})
	require.NoError(t, err)
	assert.Equal(t, orig, in, "the caller's attributes are not written")
	want := []slog.Attr{
		slog.String("msg", "login by [email]"),
		slog.Int("count", 3),
		slog.String("db_password", "[secret]"),
		slog.String("PIN", "[secret]"),
		slog.String("err", "call [phone]"),
		slog.Group("user", slog.String("phone", "[phone]"), slog.String("apiKey", "[secret]")),
		slog.String("lazy", "ip [ip]"),
		slog.Int("max_tokens", 100),
		slog.Group("auth", slog.String("user", "[email]"), slog.String("method", "sso")),
	}
	assert.Equal(t, slog.GroupValue(want...).String(), slog.GroupValue(out.Attrs...).String())
	stats := m.ProcessorStats()
	assert.Equal(t, int64(3), stats["mask:secret"])
	assert.Equal(t, int64(2), stats["mask:phone"])
	assert.Equal(t, int64(2), stats["mask:email"])
}

type errAt string

func (e errAt) Error() string { return "call " + string(e) }

type lazy string

func (l lazy) LogValue() slog.Value { return slog.StringValue(string(l)) }

func TestSecretKeys(t *testing.T) {
	s := newSecretKeys(nil)
	for key, want := range map[string]bool{
		"password": true, "db_password": true, "DBPassword": true, "x-api-key": true, "apiKey": true,
		"APIKey": true, "access_token": true, "Authorization": true, "client.secret": true,
		"tokens": false, "token_count": false, "max_tokens": false, "session_id": false,
		"user_id": false, "passwords_reset": false, "oauth": false, "": false,
	} {
		assert.Equal(t, want, s.match(key), key)
	}
}

func TestMaskDoesNotAllocateWithoutPII(t *testing.T) {
	m := MaskPII()
	r := o2kit.Record{Stream: "app", Attrs: typicalAttrs()}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() { _, _ = m.Process(ctx, r) })
	assert.Zero(t, allocs)
	h := MaskPII(WithStrategy(Hash([]byte("k"))))
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = h.Process(ctx, r) }))
}

// typicalAttrs is an application log record without personal data.
func typicalAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("level", "INFO"),
		slog.String("msg", "order created: 3 items, total 129.90 EUR, ready at 12:30:45"),
		slog.String("service", "checkout"),
		slog.String("order_id", "ord-2026-11-30-000123"),
		slog.Int64("amount_minor", 12990),
		slog.String("currency", "EUR"),
		slog.Duration("elapsed", 1234567),
		slog.String("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
		slog.Group("http", slog.String("method", "POST"), slog.String("path", "/api/v1/orders"), slog.Int("status", 201)),
		slog.Bool("cached", false),
	}
}

func TestMaskAnyValues(t *testing.T) {
	m := MaskPII()
	nested := map[string]any{
		"email": "a@b.io", "password": 5, "count": 3,
		"inner": map[string]any{"phone": "13812345678", "ok": "fine"},
		"list":  []any{"x", "10.0.0.1", 7},
		"auth":  map[string]any{"user": "u-1"},
	}
	type profile struct{ Email string }
	in := []slog.Attr{
		slog.Any("m", nested),
		slog.Any("tags", []string{"a@b.io", "ok"}),
		slog.Any("headers", map[string]string{"Authorization": "Bearer abcdefghijkl", "x": "ok"}),
		slog.Any("profile", profile{"a@b.io"}),
		slog.Any("clean", map[string]any{"a": "b", "n": []string{"c"}}),
	}
	out := run(t, m, o2kit.Record{Attrs: in})
	assert.Equal(t, map[string]any{
		"email": "[email]", "password": "[secret]", "count": 3,
		"inner": map[string]any{"phone": "[phone]", "ok": "fine"},
		"list":  []any{"x", "[ip]", 7},
		"auth":  map[string]any{"user": "u-1"},
	}, out.Attrs[0].Value.Any())
	assert.Equal(t, []string{"[email]", "ok"}, out.Attrs[1].Value.Any())
	assert.Equal(t, map[string]string{"Authorization": "[secret]", "x": "ok"}, out.Attrs[2].Value.Any())
	assert.Equal(t, profile{"a@b.io"}, out.Attrs[3].Value.Any(), "structs are not scanned")
	assert.Equal(t, "a@b.io", nested["email"], "the caller's map is not written")
	assert.Equal(t, "13812345678", nested["inner"].(map[string]any)["phone"])

	clean := o2kit.Record{Attrs: in[4:]}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.Process(context.Background(), clean) }))
}
