package o2kit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// bubbleClient runs the dev server in memory inside a synctest bubble.
func bubbleClient(t *testing.T, srvOpts []o2server.Option, opts ...Option) (*Client, *o2server.Server, *errLog) {
	t.Helper()
	srv := o2server.New(srvOpts...)
	t.Cleanup(func() { srv.Close() })
	user, pass := srv.RootUser()
	log := &errLog{}
	base := []Option{WithEndpoint("http://o2.test"), WithBasicAuth(user, pass), WithHTTPClient(inMemory(srv)), WithErrorHandler(log)}
	c, err := New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c, srv, log
}

func TestBatchSealsByCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(10), WithFlushInterval(time.Hour))
		emitN(t, c, "shop", 25)
		synctest.Wait()
		assert.Equal(t, int64(20), srv.Count("default", "shop"), "two full batches went at once")
		assert.Equal(t, uint64(2), c.Stats().Requests)
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, int64(25), srv.Count("default", "shop"))
		assert.Equal(t, uint64(3), c.Stats().Requests)
	})
}

func TestBatchSealsByBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchBytes(2048), WithFlushInterval(time.Hour))
		emitN(t, c, "shop", 40)
		synctest.Wait()
		got := srv.Count("default", "shop")
		assert.Greater(t, got, int64(20), "sealed by bytes, not by the count of 100")
		st := c.Stats()
		assert.Equal(t, uint64(got), st.Sent)
		assert.LessOrEqual(t, st.BytesIn, st.Requests*2048, "no batch above 2 KiB")
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, int64(40), srv.Count("default", "shop"))
	})
}

func TestBatchSealsByTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithFlushInterval(5*time.Second))
		emitN(t, c, "shop", 3)
		time.Sleep(4900 * time.Millisecond)
		synctest.Wait()
		assert.Zero(t, srv.Count("default", "shop"), "not before the interval")
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, int64(3), srv.Count("default", "shop"), "sealed when the interval passed")

		// A later batch has its own clock.
		time.Sleep(3 * time.Second)
		emitN(t, c, "shop", 1)
		time.Sleep(4 * time.Second)
		synctest.Wait()
		assert.Equal(t, int64(3), srv.Count("default", "shop"))
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, int64(4), srv.Count("default", "shop"))
	})
}

func TestRecordsArriveNormalisedWithIDs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
		c, srv, _ := bubbleClient(t, []o2server.Option{o2server.WithClock(func() time.Time { return at })}, WithClock(func() time.Time { return at }))
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "Checkout-Service.Logs", Attrs: []slog.Attr{
			slog.String("Order.ID", "o-1"),
			slog.Group("Payment", slog.Int("amount", 1999), slog.String("Currency", "EUR")),
			slog.Any("items", []string{"sku-1", "sku-2"}),
		}}))
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "checkout_service_logs", Time: at.Add(-time.Minute), Attrs: []slog.Attr{slog.String("order_id", "o-2")}}))
		require.NoError(t, c.Flush(t.Context()))
		recs := srv.Records("default", "checkout_service_logs")
		require.Len(t, recs, 2, "two spellings of one stream are one stream")
		byOrder := map[string]map[string]any{}
		for _, r := range recs {
			byOrder[r["order_id"].(string)] = r
		}
		first := byOrder["o-1"]
		assert.EqualValues(t, at.UnixMicro(), first["_timestamp"])
		assert.EqualValues(t, 1999, first["payment_amount"])
		assert.Equal(t, "EUR", first["payment_currency"])
		assert.Equal(t, `["sku-1","sku-2"]`, first["items"])
		assert.EqualValues(t, at.Add(-time.Minute).UnixMicro(), byOrder["o-2"]["_timestamp"])
		assert.Len(t, first["o2kit_id"], 36)
		assert.NotEqual(t, first["o2kit_id"], byOrder["o-2"]["o2kit_id"])
		assert.Equal(t, []string{"checkout_service_logs"}, c.Stats().StreamNames())
	})
}

func TestStatsCountEveryStage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(10))
		emitN(t, c, "orders", 30)
		emitN(t, c, "payments", 5)
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		orders, payments := st.Streams["orders"], st.Streams["payments"]
		assert.Equal(t, uint64(30), orders.Accepted)
		assert.Equal(t, uint64(30), orders.Sent)
		assert.Equal(t, uint64(3), orders.Requests)
		assert.Equal(t, uint64(5), payments.Sent)
		assert.Equal(t, uint64(35), st.Sent)
		assert.Zero(t, st.QueueDepth)
		assert.Greater(t, st.BytesIn, 3*st.BytesOut, "gzip shrinks JSON lines")
		assert.Zero(t, st.BufferedBytes)
		assert.Positive(t, st.MaxBufferedBytes)
		assert.Equal(t, int64(35), srv.Count("default", "orders")+srv.Count("default", "payments"))
	})
}

func TestQueueDepthWhileOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := bubbleClient(t, nil, WithFlushInterval(time.Hour))
		emitN(t, c, "s", 7)
		st := c.Stats()
		assert.Equal(t, int64(7), st.QueueDepth)
		assert.Positive(t, st.BufferedBytes)
		require.NoError(t, c.Flush(t.Context()))
		assert.Zero(t, c.Stats().QueueDepth)
	})
}

func TestEmitRejectsBadRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _, _ := bubbleClient(t, nil, WithBatchBytes(1024))
		assert.ErrorIs(t, c.Emit(t.Context(), Record{Attrs: []slog.Attr{slog.Int("a", 1)}}), ErrNoStream)
		assert.ErrorIs(t, c.Emit(t.Context(), Record{Stream: "---"}), nil, "a name of symbols normalises to _")
		err := c.Emit(t.Context(), Record{Stream: "s", Attrs: []slog.Attr{slog.String("blob", strings.Repeat("x", 2000))}})
		assert.ErrorIs(t, err, ErrRecordTooLarge)
		assert.Contains(t, err.Error(), "limit 1024")
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Attrs: []slog.Attr{slog.Int("ok", 1)}}), "one bad record does not spoil the next")
		require.NoError(t, c.Flush(t.Context()))
		s := c.Stats().Streams["s"]
		assert.Equal(t, uint64(1), s.Dropped)
		assert.Equal(t, uint64(1), s.Sent)
	})
}

func TestProcessors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		procs := []Processor{
			ProcessorFunc(func(_ context.Context, r Record) (Record, error) {
				for _, a := range r.Attrs {
					switch {
					case a.Key == "drop":
						return r, ErrDrop
					case a.Key == "fail":
						return r, boom
					case a.Key == "email":
						attrs := append([]slog.Attr(nil), r.Attrs...)
						for i := range attrs {
							if attrs[i].Key == "email" {
								attrs[i] = slog.String("email", "[redacted]")
							}
						}
						r.Attrs = attrs
						r.Stream = "masked"
					}
				}
				return r, nil
			}),
		}
		c, srv, _ := bubbleClient(t, nil, WithProcessors(procs...))
		mine := []slog.Attr{slog.String("email", "a@example.com")}
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Attrs: mine}))
		assert.Equal(t, "a@example.com", mine[0].Value.String(), "the caller's slice is untouched")
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Attrs: []slog.Attr{slog.Bool("drop", true)}}))
		assert.ErrorIs(t, c.Emit(t.Context(), Record{Stream: "s", Attrs: []slog.Attr{slog.Bool("fail", true)}}), boom)
		require.NoError(t, c.Flush(t.Context()))
		recs := srv.Records("default", "masked")
		require.Len(t, recs, 1)
		assert.Equal(t, "[redacted]", recs[0]["email"])
		st := c.Stats().Streams["s"]
		assert.Equal(t, uint64(1), st.Filtered)
		assert.Equal(t, uint64(1), st.Failed)
	})
}

func TestFlushAndShutdownAfterShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithFlushInterval(time.Hour))
		emitN(t, c, "s", 3)
		require.NoError(t, c.Shutdown(t.Context()))
		assert.Equal(t, int64(3), srv.Count("default", "s"), "Shutdown drains")
		assert.NoError(t, c.Shutdown(t.Context()), "idempotent")
		assert.ErrorIs(t, c.Emit(t.Context(), typical(1)), ErrClosed)
		assert.ErrorIs(t, c.Flush(t.Context()), ErrClosed)
		assert.Equal(t, uint64(1), c.Stats().Streams["application_logs"].Dropped, "Emit after Shutdown is counted")
	})
}

func TestMetricsSamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		for i, v := range []float64{1.5, 2, 3.25} {
			require.NoError(t, c.EmitAs(t.Context(), Metrics, Record{Stream: "metrics", Attrs: []slog.Attr{
				slog.String("__name__", "http_requests_total"), slog.String("__type__", "counter"),
				slog.String("route", "/cart"), slog.Int("shard", i), slog.Float64("value", v),
			}}))
		}
		require.NoError(t, c.Flush(t.Context()))
		recs := srv.RecordsOf("default", "metrics", "http_requests_total")
		require.Len(t, recs, 3)
		assert.Equal(t, "/cart", recs[0]["route"])
		assert.Equal(t, "0", recs[0]["shard"], "labels are strings")
		assert.NotContains(t, recs[0], "o2kit_id", "samples carry no id label")
		assert.Equal(t, uint64(3), c.Stats().Streams["metrics:metrics"].Sent)
		assert.Error(t, c.EmitAs(t.Context(), StreamType(7), Record{Stream: "x"}))
	})
}

func TestContextAttrs(t *testing.T) {
	ctx := ContextWithUser(context.Background(), "u-1")
	ctx = ContextWithSession(ctx, "s-1")
	ctx = ContextWithRequest(ctx, "r-1")
	ctx = ContextWithTenant(ctx, "t-1")
	assert.Equal(t, "u-1", UserFromContext(ctx))
	assert.Equal(t, "s-1", SessionFromContext(ctx))
	assert.Equal(t, "r-1", RequestFromContext(ctx))
	assert.Equal(t, "t-1", TenantFromContext(ctx))
	attrs := AppendContextAttrs(nil, ctx)
	raw, _ := json.Marshal(attrsMap(attrs))
	assert.JSONEq(t, `{"user_id":"u-1","session_id":"s-1","request_id":"r-1","tenant_id":"t-1"}`, string(raw))
	assert.Empty(t, AppendContextAttrs(nil, context.Background()))
}

func attrsMap(attrs []slog.Attr) map[string]string {
	m := map[string]string{}
	for _, a := range attrs {
		m[a.Key] = a.Value.String()
	}
	return m
}
