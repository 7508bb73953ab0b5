package pipeline

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/wire"
)

// piiAttrs is typicalAttrs with some personal data: an e-mail address and
// a mobile in the message, a client IP and a password field.
func piiAttrs() []slog.Attr {
	a := typicalAttrs()
	a[1] = slog.String("msg", "order created for jane.doe@example.com, mobile 13812345678, total 129.90 EUR")
	return append(a, slog.String("client_ip", "203.0.113.7"), slog.String("password", "hunter2"))
}

var benchRecords = []struct {
	name  string
	attrs func() []slog.Attr
}{{"no_pii", typicalAttrs}, {"some_pii", piiAttrs}}

// BenchmarkMask is MaskPII on a typical record.
func BenchmarkMask(b *testing.B) {
	for _, rec := range benchRecords {
		for _, s := range []struct {
			name string
			m    *Masker
		}{{"redact", MaskPII()}, {"hash", MaskPII(WithStrategy(Hash([]byte("k"))))}} {
			b.Run(rec.name+"/"+s.name, func(b *testing.B) {
				r := o2kit.Record{Stream: "app", Attrs: rec.attrs()}
				ctx := context.Background()
				loop(b, func() { _, _ = s.m.Process(ctx, r) })
			})
		}
	}
}

// BenchmarkDefaultChain is the whole default chain on a typical record
// ("chain/...", the chain as a processor), the chain as the client runs it
// ("client_chain/...": the masker; the client writes the Enrich fields as
// pre-encoded bytes while it encodes the record), and the client's JSON
// encoding of the record that chain returns, static fields included
// ("encode/..."), the cost the chain is weighed against. They run one
// after the other in each round of -count, so that all see the same load
// on a shared machine.
func BenchmarkDefaultChain(b *testing.B) {
	c := Default("checkout")
	rest, static, ok := c.SplitStatic()
	require.True(b, ok)
	st := wire.NewStatic(o2kit.DefaultIDField, static)
	ctx := context.Background()
	for _, rec := range benchRecords {
		r := o2kit.Record{Stream: "app", Attrs: rec.attrs()}
		b.Run("chain/"+rec.name, func(b *testing.B) {
			loop(b, func() { _, _ = c.Process(ctx, r) })
		})
		b.Run("client_chain/"+rec.name, func(b *testing.B) {
			loop(b, func() { _, _ = rest.Process(ctx, r) })
		})
		b.Run("encode/"+rec.name, func(b *testing.B) {
			out, err := rest.Process(ctx, r)
			require.NoError(b, err)
			enc := wire.Encoder{IDKey: o2kit.DefaultIDField}
			var buf []byte
			id := []byte("0193a3c5-9f00-7000-8000-000000000000")
			loop(b, func() { buf = enc.AppendRecordStatic(buf[:0], 1795599000000000, id, out.Attrs, st) })
		})
	}
}

// BenchmarkEmit is the caller's cost of Emit to a count-only dev server,
// without processors and with the default chain. The clients wait for
// room (Block) rather than drop when the server falls behind: a record
// refused at a full buffer skips its encoding, and would make the path
// that drops more look cheaper. dropped-% shows that none was.
func BenchmarkEmit(b *testing.B) {
	srv := o2server.New(o2server.WithCountOnly())
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(b, err)
	defer srv.Close()
	user, pass := srv.RootUser()
	for _, chain := range []struct {
		name string
		p    []o2kit.Processor
	}{{"plain", nil}, {"default_chain", []o2kit.Processor{Default("checkout")}}} {
		c, err := o2kit.New(o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, pass), o2kit.WithProcessors(chain.p...),
			o2kit.WithOverflow(o2kit.Block(time.Minute)))
		require.NoError(b, err)
		records := benchRecords
		if chain.p == nil {
			// A record with no attributes: what Emit costs besides
			// encoding attributes, so that plain less empty is the
			// encoding at Emit, under the same load as the chain.
			records = append(records[:len(records):len(records)], benchRecords[0])
			records[len(records)-1].name, records[len(records)-1].attrs = "empty", func() []slog.Attr { return nil }
		}
		for _, rec := range records {
			b.Run(chain.name+"/"+rec.name, func(b *testing.B) {
				r := o2kit.Record{Stream: "app", Attrs: rec.attrs()}
				ctx := context.Background()
				before := c.Stats().Dropped
				loop(b, func() { _ = c.Emit(ctx, r) })
				b.ReportMetric(100*float64(c.Stats().Dropped-before)/float64(b.N), "dropped-%")
			})
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = c.Shutdown(ctx)
		cancel()
	}
}

// BenchmarkProcessors is the cost of the other processors on a typical
// record that passes them.
func BenchmarkProcessors(b *testing.B) {
	contract, err := NewContract("app", "", []Rule{
		Require("order_id").Type(TypeString).Len(1, 64), Require("amount_minor").Type(TypeInt).Between(1, 1e7),
		Optional("currency").OneOf("EUR", "USD"),
	})
	require.NoError(b, err)
	sampler, err := Sample(1, WithLevelRate(slog.LevelDebug, 0.1))
	require.NoError(b, err)
	dedupe, err := Dedupe(time.Nanosecond)
	require.NoError(b, err)
	limit, err := RateLimit(1e12, 1<<30)
	require.NoError(b, err)
	for _, p := range []struct {
		name string
		p    o2kit.Processor
	}{
		{"contract", contract}, {"sample", sampler}, {"dedupe", dedupe}, {"ratelimit", limit},
		{"rename", Rename("http.status", "status_code")}, {"enrich", Enrich(Service("checkout"), Version("1.4.2"))},
	} {
		b.Run(p.name, func(b *testing.B) {
			r := o2kit.Record{Stream: "app", Attrs: typicalAttrs()}
			ctx := context.Background()
			loop(b, func() { _, _ = p.p.Process(ctx, r) })
		})
	}
}

// loop runs f b.N times on the benchmark goroutine pinned to its thread,
// and reports the thread's CPU time per call as cpu-ns/op: on a loaded
// machine it moves less than the wall time, which counts waits for a core.
func loop(b *testing.B, f func()) {
	b.Helper()
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, ok0 := threadCPU()
	for b.Loop() {
		f()
	}
	t1, ok1 := threadCPU()
	if ok0 && ok1 {
		b.ReportMetric(float64(t1-t0)/float64(b.N), "cpu-ns/op")
	}
}
