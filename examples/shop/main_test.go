package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The seeded simulation against the embedded dev server: every count in
// the summary is fixed by the seed, and each package's read side finds
// what the service recorded.
func TestShopOnTheDevServer(t *testing.T) {
	t.Setenv("OPENOBSERVE_URL", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-seed", "3", "-visitors", "40"}, &out))
	s := out.String()
	t.Log("\n" + s)

	for _, want := range []string{
		"(the embedded OpenObserve dev server)",
		"simulated 40 visitors: 139 requests, status 200×135 402×3 503×1\n",
		"dropped 0, failed 0\n",

		// One request log per request, plus 11 confirmations, 3 declines and
		// the failed reservation.
		"  application_logs   154\n",
		"  audit              1\n",
		// 15 orders created, 14 payments, 11 paid, 4 cancelled, 11 line items sold,
		// 1 restock.
		"  business_events    56\n",
		"  user_behavior      211\n",
		// A server span per request, a payment span per order that got that far.
		"  traces:traces      153\n",

		"log search level=WARN text~declined: 3 line(s)\n",
		`log search text~"confirmation sent": 11 line(s), e.g. "order confirmation sent to [email]"`,
		"log stats by level: ERROR 2, INFO 146, WARN 6\n",

		"  product_view      40 sessions;  40  100%\n",
		"  cart_add          21 sessions;  21   52%\n",
		"  checkout_started  15 sessions;  15   38%\n",
		"  purchase          11 sessions;  11   28%\n",

		"promql sum by (code) (http_server_requests_total): 200×135 402×3 503×1\n",
		"traces: 139 traces, 153 spans, 4 with an error status\n",
		" mask:email=11 ",

		"alerts firing: 4\n",
		"  CheckoutConversionLow  low      only 27.5% of visitors buy\n",
		"  ErrorLogs              medium   2 ERROR log line(s)\n",
		"  PaymentsDeclined       high     3 payments declined at stripe\n",
		"  ServerErrors           critical POST /checkout answered 5xx 1 time(s)\n",
		// ErrorLogs is inhibited by ServerErrors: one notification, three alerts.
		"webhook (signed) got one firing notification for team=shop: [CheckoutConversionLow PaymentsDeclined ServerErrors]\n",
		"alerts stream: 4 state change(s)\n",
	} {
		assert.Contains(t, s, want)
	}
}

func TestShopFlags(t *testing.T) {
	err := run(context.Background(), []string{"-visitors", "0"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "-visitors must be at least 1")
	err = run(context.Background(), []string{"-nope"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "flag provided but not defined")
}

// cancelOn is an output that cancels a context once a line containing
// marker has been written.
type cancelOn struct {
	bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	n, err := c.Buffer.Write(p)
	if bytes.Contains(c.Bytes(), []byte(c.marker)) {
		c.cancel()
	}
	return n, err
}

// With -listen the shop keeps serving after the summary and shuts down
// cleanly when the context ends.
func TestShopListenServesUntilCancelled(t *testing.T) {
	t.Setenv("OPENOBSERVE_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOn{marker: "until interrupted", cancel: cancel}
	require.NoError(t, run(ctx, []string{"-listen", "127.0.0.1:0", "-visitors", "3"}, out))
	assert.Contains(t, out.String(), "simulated 3 visitors")
	assert.Regexp(t, `serving on http://127\.0\.0\.1:\d+ until interrupted`, out.String())
}
