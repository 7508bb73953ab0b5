package behavior

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mailer is a LogValuer that hands out an address.
type mailer struct{}

func (mailer) LogValue() slog.Value { return slog.StringValue("ann@shop.example") }

// TestNoEmailLeavesByAnyPath records an address through every kind of
// value a property can have: each is replaced before the client sees it.
func TestNoEmailLeavesByAnyPath(t *testing.T) {
	e := newEnv(t)
	ctx := ContextWithVisitor(context.Background(), Visitor{UserAgent: "Mozilla/5.0 (ann@shop.example)"})
	mine := []slog.Attr{slog.String("cc", "ann@shop.example")}
	require.NoError(t, e.tracker.Track(ctx, "x", slog.Attr{Key: "mine", Value: slog.GroupValue(mine...)},
		slog.Any("contact", struct{ Email string }{"ann@shop.example"}),
		slog.Any("list", []string{"bob@shop.example", "plain"}),
		slog.Any("err", errors.New("no mailbox ann@shop.example")),
		slog.Any("valuer", mailer{}),
		slog.Any("by_mail", map[string]int{"ann@shop.example": 1}),
		slog.Group("g", slog.Group("h", slog.String("to", "x ann%40shop.example"))),
		slog.Int("ann@shop.example", 1),
		slog.Any("n", struct{ N int64 }{math.MaxInt64}),
	))
	require.NoError(t, e.tracker.Identify(ctx, Identify{UserID: "u-1",
		Traits: []slog.Attr{slog.Any("emails", []string{"ann@shop.example"}), slog.Any("me", mailer{})}}))
	recs := e.records(t)
	require.Len(t, recs, 2)
	r := recs[0]
	assert.Equal(t, "[email]", r["contact_email"])
	assert.Equal(t, `["[email]","plain"]`, r["list"])
	assert.Equal(t, "no mailbox [email]", r["err"])
	assert.Equal(t, "[email]", r["valuer"])
	assert.EqualValues(t, 1, r["by_mail__email_"])
	assert.Equal(t, "x [email]", r["g_h_to"])
	assert.Equal(t, "[email]", r["mine_cc"])
	assert.Equal(t, "ann@shop.example", mine[0].Value.String(), "the caller's group is copied, not changed")
	assert.EqualValues(t, 1, r["_email_"])
	assert.Equal(t, "Mozilla/5.0 ([email])", r[FieldUserAgent])
	assert.EqualValues(t, int64(math.MaxInt64), r["n_n"], "integers stay exact")
	assert.Equal(t, `["[email]"]`, recs[1]["traits_emails"])
	assert.Equal(t, "[email]", recs[1]["traits_me"])
	for _, r := range recs {
		for k, v := range r {
			s, _ := v.(string)
			assert.Equal(t, RedactEmails(s), s, k)
			assert.Equal(t, RedactEmails(k), k)
		}
	}
}

func TestEmailsInValuesKeptWhenAllowed(t *testing.T) {
	e := newEnv(t, WithEmails(true))
	require.NoError(t, e.tracker.Track(context.Background(), "mail ann@shop.example",
		slog.Any("contact", struct{ Email string }{"ann@shop.example"}), slog.Any("valuer", mailer{})))
	r := e.records(t)[0]
	assert.Equal(t, "mail ann@shop.example", r[FieldEvent])
	assert.Equal(t, "ann@shop.example", r["contact_email"])
	assert.Equal(t, "ann@shop.example", r["valuer"])
}

func TestEventNameWithEmailRejected(t *testing.T) {
	e := newEnv(t)
	err := e.tracker.Track(context.Background(), "welcome ann@shop.example")
	require.ErrorIs(t, err, ErrInvalidEvent)
	assert.Equal(t, "behavior: event name holds an e-mail address", err.Error())
	assert.Empty(t, e.records(t))
}

// TestIPValuesFollowTheMode gives addresses as properties and traits: the
// IP mode applies to them as to the visitor's own.
func TestIPValuesFollowTheMode(t *testing.T) {
	for mode, want := range map[IPMode][4]string{
		IPAnonymized: {"203.0.113.0", "2001:db8:1::", "198.51.100.0", "192.0.2.0"},
		IPNone:       {RedactedIP, RedactedIP, RedactedIP, RedactedIP},
		IPRaw:        {"203.0.113.7", "2001:db8:1:2::5", "198.51.100.9", "192.0.2.33"},
	} {
		e := newEnv(t, WithIPMode(mode))
		require.NoError(t, e.tracker.Track(context.Background(), "x",
			slog.String("client_ip", "203.0.113.7"),
			slog.Group("net", slog.String("peer", "2001:db8:1:2::5")),
			slog.Any("addr", netip.MustParseAddr("198.51.100.9")),
			slog.String("version", "1.2.3"), slog.String("time", "12:30"), slog.String("price", "12.50")))
		require.NoError(t, e.tracker.Identify(context.Background(), Identify{UserID: "u-1",
			Traits: []slog.Attr{slog.String("last_ip", "192.0.2.33")}}))
		recs := e.records(t)
		require.Len(t, recs, 2)
		got := [4]string{recs[0]["client_ip"].(string), recs[0]["net_peer"].(string), recs[0]["addr"].(string),
			recs[1]["traits_last_ip"].(string)}
		assert.Equal(t, want, got, "mode %d", mode)
		assert.Equal(t, "1.2.3", recs[0]["version"])
		assert.Equal(t, "12:30", recs[0]["time"])
		assert.Equal(t, "12.50", recs[0]["price"])
	}
}

func TestLooksLikeIP(t *testing.T) {
	for s, want := range map[string]bool{
		"203.0.113.7": true, "::1": true, "fe80::1%eth0": true, "2001:db8::": true, "12.50": true,
		"": false, "EUR": false, "p-42": false, "2026-11-25": false, "%eth0": false, "deadbeef": false,
	} {
		assert.Equal(t, want, looksLikeIP(s), s)
	}
	assert.True(t, holdsIPText([]byte(`{"a":"x","b":["10.0.0.1"]}`)))
	assert.False(t, holdsIPText([]byte(`{"a":"x\"1.2","b":12.5}`)))
	assert.False(t, holdsIPText([]byte(`"unterminated`)))
}

func FuzzScrubText(f *testing.F) {
	for _, s := range []string{"a@b.co", "203.0.113.7", "::1", "x%40y.org", "1.2.3.4 and c@d.de"} {
		f.Add(s)
	}
	s := scrubber{emails: true, ip: IPAnonymized}
	f.Fuzz(func(t *testing.T, in string) {
		out := s.text(in)
		assert.Equal(t, out, s.text(out), "scrubbing twice changes nothing more")
		assert.Equal(t, RedactEmails(out), out, "no address is left")
	})
}

func TestGroupsCannotSpoofStandardFields(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, props := range [][]slog.Attr{
		{slog.Group("user", slog.String("id", "someone-else"))},
		{slog.Group("", slog.String("event", "purchase"))},
		{slog.Group("Event", slog.Group("", slog.String("ID", "0193f5a4-0000-7000-8000-000000000001")))},
	} {
		err := e.tracker.Track(ctx, "x", props...)
		require.ErrorIs(t, err, ErrInvalidEvent, "%v", props)
		assert.Contains(t, err.Error(), "is a reserved field name")
	}
	require.NoError(t, e.tracker.Track(ctx, "x", slog.Group("user", slog.String("plan", "pro"))))
	assert.Len(t, e.records(t), 1)
}

func TestErrorsHideEmails(t *testing.T) {
	e := newEnv(t, WithEmails(true))
	err := e.tracker.PageView(context.Background(), PageView{URL: "http://[ann@shop.example"})
	require.Error(t, err)
	assert.Equal(t, `behavior: page_view: url "http://[[email]" does not parse`, err.Error())
	var ee *EventError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, ee.Reason, "ann@shop.example", "the field keeps the value")
}
