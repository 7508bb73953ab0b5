package behavior

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestAnonymizeIP(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.77":               "192.0.2.0",
		"10.1.2.3":                 "10.1.2.0",
		"::ffff:198.51.100.9":      "198.51.100.0",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1::",
		"2001:db8:abcd:12::1%eth0": "2001:db8:abcd::",
	} {
		assert.Equal(t, want, AnonymizeIP(netip.MustParseAddr(in)).String(), in)
	}
	assert.False(t, AnonymizeIP(netip.Addr{}).IsValid())
}

func TestIPModes(t *testing.T) {
	for mode, want := range map[IPMode]any{IPAnonymized: "2001:db8:1::", IPRaw: "2001:db8:1:2::5", IPNone: nil} {
		e := newEnv(t, WithIPMode(mode))
		ctx := ContextWithVisitor(context.Background(), Visitor{IP: netip.MustParseAddr("2001:db8:1:2::5")})
		require.NoError(t, e.tracker.Track(ctx, "x"))
		assert.Equal(t, want, e.records(t)[0][FieldIP], "mode %d", mode)
	}
}

func TestRedactEmails(t *testing.T) {
	for in, want := range map[string]string{
		"no address here":                    "no address here",
		"mail alice@example.com now":         "mail [email] now",
		"a.b+tag@mail.shop.example.org.":     "[email].",
		"x@y.z@a.bc":                         "x@[email]",
		"/reset?email=bob%40example.com&t=1": "/reset?email=[email]&t=1",
		"@handle and me@host":                "@handle and me@host",
		"two: a@b.io, c@d.dev":               "two: [email], [email]",
		"price 10% off@sale":                 "price 10% off@sale",
		"user@localhost":                     "user@localhost",
		"Bob.Smith@Example.COM":              "[email]",
	} {
		assert.Equal(t, want, RedactEmails(in), in)
	}
	s := "nothing to see"
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = RedactEmails(s) }))
}

func FuzzRedactEmails(f *testing.F) {
	for _, s := range []string{"a@b.co", "x%40y.org", "@@..", "a@b.c.", "%4", "é@ü.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactEmails(s)
		if out == s {
			return
		}
		// Whatever was replaced, running again changes nothing more.
		assert.Equal(t, out, RedactEmails(out))
	})
}

func TestEmailsRedactedUnlessAllowed(t *testing.T) {
	for allow, want := range map[bool][2]string{
		false: {"contact [email]", "[email]"},
		true:  {"contact ann@shop.example", "ann@shop.example"},
	} {
		e := newEnv(t, WithEmails(allow))
		ctx := o2kit.ContextWithUser(context.Background(), "ann@shop.example")
		require.NoError(t, e.tracker.Track(ctx, "x", slog.String("note", "contact ann@shop.example")))
		require.NoError(t, e.tracker.Identify(ctx, Identify{UserID: "u-1",
			Traits: []slog.Attr{slog.String("email", "ann@shop.example")}}))
		recs := e.records(t)
		require.Len(t, recs, 2)
		assert.Equal(t, want[0], recs[0]["note"])
		assert.Equal(t, want[1], recs[0]["user_id"])
		assert.Equal(t, want[1], recs[1]["traits_email"])
	}
}

func TestOptOuts(t *testing.T) {
	var opt OptOuts
	e := newEnv(t, WithConsent(&opt))
	opt.Add("u-2")
	opt.Add("anon-3")
	ctx := context.Background()
	u1, u2 := o2kit.ContextWithUser(ctx, "u-1"), o2kit.ContextWithUser(ctx, "u-2")
	anon3 := ContextWithVisitor(ctx, Visitor{AnonymousID: "anon-3"})
	require.NoError(t, e.tracker.Track(u1, "kept"))
	require.NoError(t, e.tracker.Track(u2, "dropped"))
	require.NoError(t, e.tracker.Track(anon3, "dropped"))
	require.NoError(t, e.tracker.Track(WithoutTracking(u1), "dropped"))
	opt.Remove("u-2")
	require.NoError(t, e.tracker.Track(u2, "kept"))
	recs := e.records(t)
	require.Len(t, recs, 2)
	for _, r := range recs {
		assert.Equal(t, "kept", r[FieldEvent])
	}
	assert.Equal(t, Stats{Recorded: 2, OptedOut: 3}, e.tracker.Stats())
}

func TestConsentFunc(t *testing.T) {
	e := newEnv(t, WithConsent(ConsentFunc(func(_ context.Context, user, anon string) bool { return user == "yes" })))
	require.NoError(t, e.tracker.Track(o2kit.ContextWithUser(context.Background(), "yes"), "x"))
	require.NoError(t, e.tracker.Track(o2kit.ContextWithUser(context.Background(), "no"), "x"))
	assert.Len(t, e.records(t), 1)
}

func TestDoNotTrack(t *testing.T) {
	dnt := ContextWithVisitor(context.Background(), Visitor{DoNotTrack: true})
	honour := newEnv(t, WithDoNotTrack(true))
	require.NoError(t, honour.tracker.Track(dnt, "x"))
	assert.Empty(t, honour.records(t))
	ignore := newEnv(t)
	require.NoError(t, ignore.tracker.Track(dnt, "x"))
	assert.Len(t, ignore.records(t), 1)
}

func TestBotModes(t *testing.T) {
	ctx := ContextWithVisitor(context.Background(), Visitor{UserAgent: "Googlebot/2.1", Bot: true})
	for mode, want := range map[BotMode][]any{BotFlag: {true}, BotSkip: nil, BotAllow: {nil}} {
		e := newEnv(t, WithBots(mode))
		require.NoError(t, e.tracker.Track(ctx, "x"))
		var got []any
		for _, r := range e.records(t) {
			got = append(got, r[FieldBot])
		}
		assert.Equal(t, want, got, "mode %d", mode)
	}
}

func TestIsBot(t *testing.T) {
	for ua, want := range map[string]bool{
		"": true,
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)":                           true,
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari": true,
		"curl/8.5.0":              true,
		"python-requests/2.32.3":  true,
		"facebookexternalhit/1.1": true,
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": false,
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                        false,
	} {
		assert.Equal(t, want, IsBot(ua), ua)
	}
}

func TestIsCurrency(t *testing.T) {
	for _, c := range []string{"EUR", "USD", "CNY", "JPY", "BHD", "AED", "ZWL", "XCG", "CHF"} {
		assert.True(t, IsCurrency(c), c)
	}
	for _, c := range []string{"", "EU", "EURO", "eur", "XXX", "XTS", "DEM", "ABC", "ZZZ", "AAA"} {
		assert.False(t, IsCurrency(c), c)
	}
	assert.Equal(t, 0, (len(iso4217)+1)%4)
	for i := 4; i+3 <= len(iso4217); i += 4 {
		assert.Less(t, iso4217[i-4:i-1], iso4217[i:i+3], "list must stay sorted")
	}
}
