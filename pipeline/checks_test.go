package pipeline

import (
	"context"
	"log/slog"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestCNIDDates(t *testing.T) {
	for id, want := range map[string]bool{
		"110105200002291235": true,  // 29 February 2000, a leap year
		"110105190002291239": false, // 1900 was not
		"110105202302291236": false, // nor 2023
		"110105202404301239": true,
		"110105202404311234": false, // 31 April
		"110105202412311234": true,
		"110105189912311237": false, // before 1900
		"11010520241231123":  false, // 17 digits
		"11010520241231A234": false,
	} {
		assert.Equal(t, want, cnID(id), id)
	}
}

func TestPhoneForms(t *testing.T) {
	m := MaskPII(WithKinds(KindPhone))
	for in, want := range map[string]string{
		"(415)555-0123":         "[phone]",
		"(415) 555-0123 x":      "[phone] x",
		"(415) 555 0123":        "(415) 555 0123",
		"(115) 555-0123":        "(115) 555-0123", // area codes start 2 to 9
		"a(415) 555-0123":       "a(415) 555-0123",
		"(415) 555-01234":       "(415) 555-01234",
		"(41":                   "(41",
		"+1 415 555 0123 45678": "+1 415 555 0123 45678", // more than 15 digits
		"+0 415 555 0123":       "+0 415 555 0123",
		"415.555.0123":          "[phone]",
		"138.1234.5678":         "138.1234.5678", // dots group no mobile
	} {
		assert.Equal(t, want, m.MaskString(in), in)
	}
}

func TestEmailForms(t *testing.T) {
	m := MaskPII(WithKinds(KindEmail))
	for in, want := range map[string]string{
		".jane@example.com":       ".[email]",
		"jane@example.com.":       "[email].",
		"jane@-example.com":       "jane@-example.com",
		"jane@example.c0m":        "jane@example.c0m",
		"jane@example..com":       "jane@example..com",
		"x@y.io@z.io":             "x@y.io@z.io", // no address
		"mail:jane_doe@mail.corp": "mail:[email]",
	} {
		assert.Equal(t, want, m.MaskString(in), in)
	}
}

func TestHashWithoutKey(t *testing.T) {
	a, b := MaskPII(WithStrategy(Hash(nil))), MaskPII(WithStrategy(Hash(nil)))
	assert.Equal(t, a.MaskString("jane@example.com"), a.MaskString("jane@example.com"))
	assert.NotEqual(t, a.MaskString("jane@example.com"), b.MaskString("jane@example.com"), "each gets a random key")

	out, err := a.Process(context.Background(), o2kit.Record{Attrs: []slog.Attr{slog.Int("pin", 1234), slog.String("password", "x")}})
	require.NoError(t, err)
	assert.Equal(t, "1234", out.Attrs[0].Value.String(), "pin is not a default secret")
	assert.Regexp(t, regexp.MustCompile(`^secret:[0-9a-f]{16}$`), out.Attrs[1].Value.String())
}

func TestKindNames(t *testing.T) {
	assert.Equal(t, "cn_id", KindCNID.String())
	assert.Equal(t, "unknown", Kind(0).String())
	assert.Equal(t, "unknown", kindEnd.String())
	assert.Equal(t, "[ip] x", MaskPII(WithKinds(KindIP, Kind(99))).MaskString("10.0.0.1 x"))
	assert.Equal(t, "a@b.io", MaskPII(WithKinds()).MaskString("a@b.io"), "no kinds: only secret fields")
}

func TestSecretKeysExtra(t *testing.T) {
	s := newSecretKeys([]string{"x", "", "Card-PIN"})
	assert.True(t, s.match("x"), "a one-letter name")
	assert.True(t, s.match("user_x"))
	assert.True(t, s.match("cardPin"))
	assert.False(t, s.match("max"))
}

func TestSampleLevelKey(t *testing.T) {
	s, err := Sample(0, WithLevelKey("severity"))
	require.NoError(t, err)
	assert.True(t, kept(t, s, o2kit.Record{Attrs: []slog.Attr{slog.String("severity", "error")}}))
	assert.True(t, kept(t, s, o2kit.Record{Attrs: []slog.Attr{slog.Any("severity", slog.LevelError)}}))
	assert.False(t, kept(t, s, o2kit.Record{Attrs: []slog.Attr{slog.Bool("severity", true)}}))
	c, err := NewContract("orders", "", []Rule{Optional("a").Between(0, 1)})
	require.NoError(t, err)
	assert.Equal(t, "orders", c.Name())
}
