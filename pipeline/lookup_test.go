package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

func TestLookup(t *testing.T) {
	clock := newTestClock(o2test.Epoch)
	calls := map[string]int{}
	tiers := func(_ context.Context, id string) ([]slog.Attr, error) {
		calls[id]++
		switch id {
		case "u-1":
			return []slog.Attr{slog.String("tier", "gold"), slog.String("user", "a record's own field wins")}, nil
		case "u-err":
			return nil, errors.New("down")
		}
		return nil, nil
	}
	l, err := Lookup("user.id", tiers, WithCache(2, time.Minute), WithClock(clock.Now))
	require.NoError(t, err)
	rec := func(id string) o2kit.Record {
		return o2kit.Record{Attrs: []slog.Attr{slog.Group("user", slog.String("id", id))}}
	}
	assert.Equal(t, "[user=[id=u-1] tier=gold]", text(run(t, l, rec("u-1")).Attrs))
	assert.Equal(t, "[user=[id=u-1] tier=gold]", text(run(t, l, rec("u-1")).Attrs))
	assert.Equal(t, "[user=[id=u-2]]", text(run(t, l, rec("u-2")).Attrs))
	assert.Equal(t, "[user=[id=u-err]]", text(run(t, l, rec("u-err")).Attrs), "a failed lookup passes the record")
	assert.Equal(t, "[x=1]", text(run(t, l, o2kit.Record{Attrs: []slog.Attr{slog.Int("x", 1)}}).Attrs))
	assert.Equal(t, map[string]int{"u-1": 1, "u-2": 1, "u-err": 1}, calls)

	clock.add(time.Minute)
	run(t, l, rec("u-1"))
	assert.Equal(t, 2, calls["u-1"], "the cached answer expired")
	assert.Equal(t, map[string]int64{"lookup:user.id:hits": 1, "lookup:user.id:misses": 4, "lookup:user.id:errors": 1}, l.ProcessorStats())

	_, err = Lookup("x", nil)
	assert.Error(t, err)
	_, err = Lookup("", tiers)
	assert.Error(t, err)
}

func TestLRU(t *testing.T) {
	now := time.Unix(0, 0)
	c := newLRU(2, 0)
	c.put("a", []slog.Attr{slog.Int("a", 1)}, now)
	c.put("b", nil, now)
	_, ok := c.get("a", now) // a is now the most recent
	require.True(t, ok)
	c.put("c", nil, now)
	_, ok = c.get("b", now)
	assert.False(t, ok, "b was the least recently used")
	_, ok = c.get("a", now.Add(1000*time.Hour))
	assert.True(t, ok, "no ttl: entries do not expire")
	c.put("a", nil, now)
	assert.Equal(t, 2, c.len())

	off := newLRU(0, time.Minute)
	off.put("a", nil, now)
	assert.Zero(t, off.len())
}

func TestLookupFromContext(t *testing.T) {
	echo := func(_ context.Context, id string) ([]slog.Attr, error) {
		return []slog.Attr{slog.String("looked_up", id)}, nil
	}
	ctx := o2kit.ContextWithUser(context.Background(), "u-9")
	ctx = o2kit.ContextWithSession(ctx, "s-9")
	ctx = o2kit.ContextWithRequest(ctx, "r-9")
	ctx = o2kit.ContextWithTenant(ctx, "t-9")
	for field, want := range map[string]string{
		o2kit.FieldUserID: "u-9", o2kit.FieldSessionID: "s-9", o2kit.FieldRequestID: "r-9", o2kit.FieldTenantID: "t-9",
	} {
		l, err := Lookup(field, echo)
		require.NoError(t, err)
		out, err := l.Process(ctx, o2kit.Record{})
		require.NoError(t, err)
		assert.Equal(t, "[looked_up="+want+"]", text(out.Attrs), field)
		out, err = l.Process(ctx, o2kit.Record{Attrs: []slog.Attr{slog.String(field, "own")}})
		require.NoError(t, err)
		assert.Contains(t, text(out.Attrs), "looked_up=own", "the record's field first")
	}
	l, err := Lookup("order_id", echo)
	require.NoError(t, err)
	out, err := l.Process(ctx, o2kit.Record{})
	require.NoError(t, err)
	assert.Empty(t, out.Attrs)
}
