package behavior

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

var checkout = Funnel{Name: "checkout", Steps: []string{EventProductView, EventCartAdd, EventPurchase}, Window: time.Hour}

// step records a funnel step for session at start+offset.
func step(t *testing.T, tr *Tracker, session, name string, offset time.Duration) {
	t.Helper()
	ctx := o2kit.ContextWithSession(context.Background(), session)
	m := Meta{Time: start.Add(offset)}
	var err error
	switch name {
	case EventProductView:
		err = tr.ProductView(ctx, ProductView{Product: shoe, Meta: m})
	case EventCartAdd:
		err = tr.CartAdd(ctx, CartChange{Product: shoe, Quantity: 1, Meta: m})
	case EventPurchase:
		err = tr.Purchase(ctx, Purchase{OrderID: "o-" + session, RevenueMinor: shoe.PriceMinor, Currency: "EUR", Meta: m})
	case EventSearch:
		err = tr.Search(ctx, Search{Query: "shoes", Meta: m})
	default:
		err = tr.TrackEvent(ctx, Event{Name: name, Meta: m})
	}
	require.NoError(t, err)
}

func sessions(r FunnelReport) []int64 {
	out := make([]int64, len(r.Steps))
	for i, s := range r.Steps {
		out[i] = s.Sessions
	}
	return out
}

func TestFunnelInOrder(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	tr := e.tracker
	for _, s := range []string{"a", "b", "c", "d"} {
		step(t, tr, s, EventProductView, 0)
	}
	step(t, tr, "a", EventCartAdd, time.Minute)
	step(t, tr, "b", EventCartAdd, time.Minute)
	step(t, tr, "a", EventPurchase, 2*time.Minute)
	step(t, tr, "x", "newsletter_signup", 0) // not a step
	r, ok := tr.Funnel("checkout")
	require.True(t, ok)
	assert.Equal(t, []int64{4, 2, 1}, sessions(r))
	assert.Equal(t, []float64{1, 0.5, 0.25}, []float64{r.Steps[0].Conversion, r.Steps[1].Conversion, r.Steps[2].Conversion})
	assert.Equal(t, []float64{1, 0.5, 0.5}, []float64{r.Steps[0].FromPrevious, r.Steps[1].FromPrevious, r.Steps[2].FromPrevious})
	assert.Equal(t, int64(1), r.Completed())
	assert.Equal(t, 0.25, r.Conversion())
	assert.Equal(t, 4, r.InProgress)
	_, ok = tr.Funnel("nope")
	assert.False(t, ok)
}

func TestFunnelOutOfOrder(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	tr := e.tracker
	// Late delivery: the events happened in order but arrive backwards.
	step(t, tr, "late", EventPurchase, 3*time.Minute)
	step(t, tr, "late", EventCartAdd, 2*time.Minute)
	step(t, tr, "late", EventProductView, time.Minute)
	// A skipped step: purchase before cart does not count for the cart
	// step's successor until a purchase follows the cart.
	step(t, tr, "skip", EventProductView, 0)
	step(t, tr, "skip", EventPurchase, time.Minute)
	step(t, tr, "skip", EventCartAdd, 2*time.Minute)
	r, _ := tr.Funnel("checkout")
	assert.Equal(t, []int64{2, 2, 1}, sessions(r))
	step(t, tr, "skip", EventPurchase, 3*time.Minute)
	r, _ = tr.Funnel("checkout")
	assert.Equal(t, []int64{2, 2, 2}, sessions(r))
	// A step before the session's first step-1 event does not count.
	step(t, tr, "early", EventCartAdd, 0)
	step(t, tr, "early", EventProductView, time.Minute)
	r, _ = tr.Funnel("checkout")
	assert.Equal(t, []int64{3, 2, 2}, sessions(r))
}

func TestFunnelDuplicates(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	tr := e.tracker
	for range 3 { // the same events resent, and the same step repeated
		step(t, tr, "a", EventProductView, 0)
		step(t, tr, "a", EventProductView, time.Second)
		step(t, tr, "a", EventCartAdd, time.Minute)
		step(t, tr, "a", EventPurchase, 2*time.Minute)
		step(t, tr, "a", EventPurchase, 5*time.Minute)
	}
	r, _ := tr.Funnel("checkout")
	assert.Equal(t, []int64{1, 1, 1}, sessions(r))
	assert.Equal(t, 1, r.InProgress)
}

func TestFunnelWindow(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	tr := e.tracker
	step(t, tr, "slow", EventProductView, 0)
	step(t, tr, "slow", EventCartAdd, 30*time.Minute)
	step(t, tr, "slow", EventPurchase, time.Hour+time.Second) // past the window
	r, _ := tr.Funnel("checkout")
	assert.Equal(t, []int64{1, 1, 0}, sessions(r))

	e.clock.Advance(time.Hour + time.Second) // the run expires
	r, _ = tr.Funnel("checkout")
	assert.Equal(t, 0, r.InProgress)
	step(t, tr, "slow", EventProductView, 2*time.Hour) // a new run
	r, _ = tr.Funnel("checkout")
	assert.Equal(t, []int64{2, 1, 0}, sessions(r), "in-process, each run counts")
	assert.Equal(t, 1, r.InProgress)
	assert.Zero(t, r.Evicted)

	e.records(t)
	server, err := tr.FunnelReport(context.Background(), checkout, start, start.Add(3*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 1, 0}, sessions(server), "on the server, each session counts once")
}

func TestFunnelIgnoresBotsAndKeyless(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	bot := ContextWithVisitor(o2kit.ContextWithSession(context.Background(), "b"), Visitor{Bot: true})
	require.NoError(t, e.tracker.ProductView(bot, ProductView{Product: shoe}))
	require.NoError(t, e.tracker.ProductView(context.Background(), ProductView{Product: shoe}))
	anon := ContextWithVisitor(context.Background(), Visitor{AnonymousID: "anon"})
	require.NoError(t, e.tracker.ProductView(anon, ProductView{Product: shoe}))
	r, _ := e.tracker.Funnel("checkout")
	assert.Equal(t, []int64{1, 0, 0}, sessions(r), "only the visitor with an id counts")

	// The server counts the other way round, as Funnel's table says: the
	// flagged bot has a session id, the anonymous visitor none.
	e.records(t)
	server, err := e.tracker.FunnelReport(context.Background(), checkout, start, start.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 0, 0}, sessions(server), "only the bot's session counts")
}

func TestFunnelMemoryIsBounded(t *testing.T) {
	const capacity = 1000
	fs := newFunnelState(checkout, capacity)
	now := start
	add := func(i int) {
		key := fmt.Sprintf("s-%d", i)
		fs.add(key, EventProductView, now, now)
		fs.add(key, EventCartAdd, now.Add(time.Second), now)
	}
	for i := range capacity {
		add(i)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	const sessions = 200_000
	for i := capacity; i < sessions; i++ {
		add(i)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	r := fs.report(now)
	assert.Equal(t, capacity, r.InProgress)
	assert.Len(t, fs.runs, capacity)
	assert.Equal(t, int64(sessions-capacity), r.Evicted)
	assert.Equal(t, int64(sessions), r.Steps[0].Sessions)
	assert.Equal(t, int64(sessions), r.Steps[1].Sessions)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, growth, int64(1<<20), "heap grew by %d bytes over %d sessions", growth, sessions)

	// Stale runs go when their window has passed, whatever the cap.
	assert.Zero(t, fs.report(now.Add(time.Hour+time.Nanosecond)).InProgress)
	assert.Empty(t, fs.runs)
	assert.Nil(t, fs.head)
	assert.Nil(t, fs.tail)
}

func TestRunKeepsEarliestTimes(t *testing.T) {
	r := &run{times: make([]int64, 2*timesPerStep), n: make([]uint8, 2)}
	for _, ts := range []int64{50, 10, 40, 30, 20, 10, 60} {
		r.insert(1, ts)
	}
	assert.Equal(t, []int64{10, 20, 30, 40}, r.times[timesPerStep:])
	assert.False(t, r.insert(1, 70), "later than a full set")
	assert.False(t, r.insert(1, 20), "duplicate")
	assert.Equal(t, 0, r.depth(100))
	r.insert(0, 25)
	assert.Equal(t, 2, r.depth(100))
	assert.Equal(t, 1, r.depth(4))
}
