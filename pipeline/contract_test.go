package pipeline

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func orderRules() []Rule {
	return []Rule{
		Require("order_id").Type(TypeString).Len(3, 12),
		Require("amount_minor").Type(TypeInt).Between(1, 1_000_000),
		Optional("currency").OneOf("EUR", "USD"),
		Optional("ship.at").Type(TypeTime),
		Optional("ratio").Type(TypeNumber),
		Optional("gift").Type(TypeBool),
		Optional("score").Type(TypeFloat),
	}
}

func TestContractChecks(t *testing.T) {
	c, err := NewContract("orders", "orders", orderRules())
	require.NoError(t, err)
	valid := []slog.Attr{
		slog.String("order_id", "ord-1"), slog.Int64("amount_minor", 4599), slog.String("currency", "EUR"),
		slog.Group("ship", slog.String("at", "2026-11-25T09:30:00Z")), slog.Float64("ratio", 0.5),
		slog.Bool("gift", true), slog.Float64("score", 1),
	}
	for _, tc := range []struct {
		name   string
		change *Transform
		reason string
	}{
		{"valid", Set(), ""},
		{"time value", Set(slog.Group("ship", slog.Time("at", time.Now()))), ""},
		{"missing", Drop("order_id"), "missing:order_id"},
		{"type", Set(slog.String("amount_minor", "45.99")), "type:amount_minor"},
		{"range", Set(slog.Int64("amount_minor", 0)), "range:amount_minor"},
		{"enum", Set(slog.String("currency", "GBP")), "enum:currency"},
		{"length", Set(slog.String("order_id", "ord-1234567890")), "length:order_id"},
		{"bad time", Set(slog.Group("ship", slog.String("at", "tomorrow"))), "type:ship.at"},
		{"number", Set(slog.String("ratio", "x")), "type:ratio"},
		{"bool", Set(slog.String("gift", "yes")), "type:gift"},
		{"float", Set(slog.Int("score", 1)), "type:score"},
		{"two", Chain{Drop("order_id"), Set(slog.String("currency", "GBP"))}.asTransform(), "missing:order_id; enum:currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := run(t, tc.change, o2kit.Record{Stream: "orders", Attrs: valid})
			out := run(t, c, in)
			if tc.reason == "" {
				assert.Equal(t, "orders", out.Stream)
				assert.Equal(t, text(in.Attrs), text(out.Attrs))
				return
			}
			assert.Equal(t, "dead-letter", out.Stream)
			reason, _ := findAttr(out.Attrs, fieldPath{FieldDeadLetterReason})
			assert.Equal(t, tc.reason, reason.String())
			from, _ := findAttr(out.Attrs, fieldPath{FieldDeadLetterStream})
			assert.Equal(t, "orders", from.String())
		})
	}
	stats := c.ProcessorStats()
	assert.Equal(t, int64(12), stats["contract:orders:checked"])
	assert.Equal(t, int64(10), stats["contract:orders:failed"])
	assert.Equal(t, int64(2), stats["contract:orders:missing:order_id"])
	assert.Equal(t, int64(0), stats["contract:orders:missing:currency"])
}

// asTransform runs a chain of transforms as one, for the table above.
func (c Chain) asTransform() *Transform {
	return &Transform{apply: func(in []slog.Attr) []slog.Attr {
		out, _ := c.Process(context.Background(), o2kit.Record{Attrs: in})
		return out.Attrs
	}}
}

func TestContractActions(t *testing.T) {
	bad := o2kit.Record{Stream: "Orders", Attrs: []slog.Attr{slog.Int("amount_minor", 5)}}
	rules := []Rule{Require("order_id")}

	c, err := NewContract("o", "orders", rules, DeadLetterTo("quarantine"))
	require.NoError(t, err)
	assert.Equal(t, "quarantine", run(t, c, bad).Stream)
	assert.Equal(t, "quarantine", run(t, c, run(t, c, bad)).Stream, "dead letters are not checked again")

	c, err = NewContract("o", "orders", rules, DropInvalid())
	require.NoError(t, err)
	_, err = c.Process(context.Background(), bad)
	assert.ErrorIs(t, err, o2kit.ErrDrop)

	c, err = NewContract("o", "", rules, FlagInvalid(""))
	require.NoError(t, err)
	out := run(t, c, bad)
	assert.Equal(t, "Orders", out.Stream)
	assert.Equal(t, "[amount_minor=5 contract_violation=missing:order_id]", text(out.Attrs))

	other := run(t, ForStreams(c, "nope"), bad)
	assert.Equal(t, text(bad.Attrs), text(other.Attrs))
	assert.Equal(t, int64(1), ForStreams(c, "x").ProcessorStats()["contract:o:failed"])
}

func TestContractValid(t *testing.T) {
	good := o2kit.Record{Stream: "orders", Attrs: []slog.Attr{slog.String("order_id", "ord-1"), slog.Int64("amount_minor", 5)}}
	c, err := NewContract("orders", "orders", orderRules())
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = c.Process(context.Background(), good) }))
}

func TestNewContractErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		name  string
		rules []Rule
		opts  []Option
	}{
		"no name":      {"", []Rule{Require("a")}, nil},
		"no rules":     {"c", nil, nil},
		"empty field":  {"c", []Rule{Require("")}, nil},
		"empty range":  {"c", []Rule{Require("a").Between(2, 1)}, nil},
		"empty length": {"c", []Rule{Require("a").Len(3, 2)}, nil},
		"bad type":     {"c", []Rule{Require("a").Type(Type(99))}, nil},
		"twice":        {"c", []Rule{Require("a"), Optional("a")}, nil},
		"no stream":    {"c", []Rule{Require("a")}, []Option{DeadLetterTo("")}},
	} {
		_, err := NewContract(tc.name, "s", tc.rules, tc.opts...)
		assert.Error(t, err, name)
	}
}
