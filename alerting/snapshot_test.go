package alerting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type figures map[string]float64

func (f figures) Snapshot() map[string]float64 { return f }

func TestSnapshotSource(t *testing.T) {
	f := figures{"cart_abandonment_rate": 0.4, "funnel.checkout.pay.conversion": 0.5}
	src := SnapshotSource("shop_", f)
	got := src.Select("shop_funnel_checkout_pay_conversion", 0, 1000)
	require.Len(t, got, 1)
	assert.Equal(t, 0.5, got[0].Samples[0].V)
	assert.Equal(t, int64(1000), got[0].Samples[0].T)

	f["funnel.checkout.pay.conversion"] = 0.3
	src.Select("", 0, 1000) // the same time is not sampled twice
	got = src.Select("shop_funnel_checkout_pay_conversion", 0, 2000)
	require.Len(t, got, 1)
	require.Len(t, got[0].Samples, 2)
	assert.Equal(t, []float64{0.5, 0.3}, []float64{got[0].Samples[0].V, got[0].Samples[1].V})
	assert.Len(t, src.Select("", 0, 2000), 2, "every figure is a series")
}

func TestHistorySQL(t *testing.T) {
	assert.Equal(t, `SELECT * FROM "alerts" ORDER BY _timestamp DESC`, historySQL("alerts", HistoryQuery{}))
	assert.Equal(t, `SELECT * FROM "alerts" WHERE event = 'ack' AND alert_id = 'x'' OR ''1''=''1' ORDER BY _timestamp DESC`,
		historySQL("alerts", HistoryQuery{Event: EventAck, AlertID: "x' OR '1'='1"}))
}
