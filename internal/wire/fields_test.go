package wire

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Keys that share their bytes' address (prefixes of one string), keys of
// equal content at other addresses, keys that are not normal, reserved or
// too long for a slot, and keys inside groups: an Encoder that has
// remembered field openings writes each record as a fresh one does.
func TestFieldCacheKeepsOutput(t *testing.T) {
	base := "order_id_and_more_and_more_than_a_slot_holds"
	var attrs []slog.Attr
	for n := 1; n <= len(base); n++ {
		attrs = append(attrs, slog.Int(base[:n], n))
	}
	for i := range 150 {
		attrs = append(attrs, slog.Int(fmt.Sprintf("k%d", i%40), i), slog.String(strings.Clone("order_id"), "x"))
	}
	attrs = append(attrs, slog.Int("_timestamp", 1), slog.Int("o2kit_id", 2), slog.String("Mixed.Case", "m"),
		slog.Group("order", slog.Int("id", 3)), slog.Group("", slog.Int("order_id", 4)), slog.Any("err", fmt.Errorf("e")),
		slog.Any("obj", map[string]any{"a": 1}))
	var warm Encoder
	warm.IDKey = "o2kit_id"
	for round := range 3 {
		var fresh Encoder
		fresh.IDKey = "o2kit_id"
		want := string(fresh.AppendRecord(nil, 1, []byte("x"), attrs))
		assert.Equal(t, want, string(warm.AppendRecord(make([]byte, 0, round), 1, []byte("x"), attrs)), "round %d", round)
		assert.NotContains(t, want, `"o2kit_id":2`)
		assert.Contains(t, want, `"mixed_case":"m","order_id":3,"order_id":4,"err":"e","obj_a":1}`)
	}
}

// A slot is found only by the address and length it was given.
func TestFieldCacheFindsByAddress(t *testing.T) {
	var c fieldCache
	k := "latency_ms"
	c.remember(k, []byte(`,"latency_ms":`))
	s := c.find(k)
	require.NotNil(t, s)
	assert.Equal(t, `{,"latency_ms":`, string(s.appendTo([]byte("{"))))
	assert.Nil(t, c.find(strings.Clone(k)), "same content, other address")
	assert.Nil(t, c.find(k[:9]), "same address, shorter")
	long := strings.Repeat("k", maxCachedField+1)
	c.remember(long, []byte(`,"`+long+`":`))
	assert.Nil(t, c.find(long), "too long for a slot")
}

// Three keys of one set, with the same first slot, logged in turn: one
// of them stays found.
func TestFieldCacheKeepsOneOfThree(t *testing.T) {
	var c fieldCache
	first := func(k string) *fieldSlot {
		s, _ := c.set(unsafe.StringData(k), len(k))
		return s
	}
	keys := []string{fmt.Sprintf("k%d", 0)}
	for i := 1; len(keys) < 3; i++ {
		if k := fmt.Sprintf("k%d", i); first(k) == first(keys[0]) {
			keys = append(keys, k)
		}
	}
	hits := 0
	for round := range 4 {
		for _, k := range keys {
			if c.find(k) != nil {
				hits += round / 3 // the last round
				continue
			}
			c.remember(k, []byte(`,"`+k+`":`))
		}
	}
	assert.Positive(t, hits, "in the last round")
}
