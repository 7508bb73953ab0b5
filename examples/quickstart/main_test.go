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

func TestQuickstartOnTheDevServer(t *testing.T) {
	t.Setenv("OPENOBSERVE_URL", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	assert.Contains(t, s, "(the embedded OpenObserve dev server)")
	assert.Contains(t, s, "search of business_events found 3 order(s)")
	assert.Contains(t, s, `{"order_id":"ord-0002","amount_minor":4599,"shipping_country":"DE"}`)
	assert.Contains(t, s, "sent 4 record(s)")
	assert.Contains(t, s, "dropped 0, failed 0")
}
