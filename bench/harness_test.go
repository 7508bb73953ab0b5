package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
)

func TestMain(m *testing.M) {
	if ServeChild() {
		return
	}
	goleak.VerifyTestMain(m)
}

// harnessRecords is the size of the harness's small runs.
const harnessRecords = 10_000

// TestO2kitDelivery checks the end-to-end harness on o2kit: the server
// counts every record the client says it sent, and with a server that keeps
// up that is every record.
func TestO2kitDelivery(t *testing.T) {
	srv := startChild(t)
	s := newO2kitSink(t, srv)
	d := burst(t, srv, s, harnessRecords, Senders)
	st := s.c.Stats()
	s.close()

	require.NoError(t, s.errs.First())
	assert.EqualValues(t, st.Sent, d.counted, "server count against the client's Sent")
	assert.EqualValues(t, harnessRecords, d.counted)
	assert.Positive(t, d.rate())
}

// TestOTelDelivery checks the harness on the OpenTelemetry path, to the dev
// server and to the bare OTLP sink: the server counts, in the stream the
// exporter names, every record the exporter reported as exported. The
// BatchProcessor may drop part of a burst.
func TestOTelDelivery(t *testing.T) {
	for _, kind := range []Kind{DevServer, BareOTLPSink} {
		t.Run(string(kind), func(t *testing.T) {
			srv := startChildOf(t, kind)
			s := newOTelSink(t, srv)
			d := burst(t, srv, s, harnessRecords, Senders)

			assert.Positive(t, d.counted)
			assert.Equal(t, s.o.Exported(), d.counted, "server count against the exporter's")
			assert.LessOrEqual(t, d.counted, int64(harnessRecords))
		})
	}
}

// TestOutageRecovery checks the outage harness: records emitted while the
// server is down reach it once it is back, through the spool.
func TestOutageRecovery(t *testing.T) {
	for name, down := range map[string]func(testing.TB) outage{"hang": hangOutage, "refused": refusedOutage} {
		t.Run(name, func(t *testing.T) {
			o := down(t)
			errs := new(Errors)
			c, err := NewClient(o.url, o.user, o.pass, errs,
				o2kit.WithMaxBufferedBytes(OutageCap), o2kit.WithSpool(t.TempDir(), 0))
			require.NoError(t, err)
			r := emitTimed(c, make([]time.Duration, 2_000))
			r.lost = restore(t, c, o, 2_000)
			closeNow(c)

			assert.Zero(t, r.dropped)
			assert.Zero(t, r.lost)
			assert.LessOrEqual(t, r.p50, r.p99)
			assert.Positive(t, r.maxBuffered)
		})
	}
}

func TestPercentile(t *testing.T) {
	s := make([]time.Duration, 1000)
	for i := range s {
		s[len(s)-1-i] = time.Duration(i + 1)
	}
	s = Sorted(s)
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500}, {0.99, 990}, {0.999, 999}, {1, 1000}, {0.0001, 1}} {
		assert.Equal(t, tc.want, Percentile(s, tc.q), "q=%v", tc.q)
	}
	assert.Zero(t, Percentile(nil, 0.5))
}
