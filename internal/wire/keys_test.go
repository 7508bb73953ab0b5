package wire

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An Encoder that has remembered keys writes each record exactly as a
// fresh one does, reserved keys included, whatever slots the keys share.
func TestKeyCacheKeepsOutput(t *testing.T) {
	attrs := []slog.Attr{
		slog.Int("id", 1), slog.Group("o2kit", slog.Int("id", 2)), slog.Int("_timestamp", 3),
		slog.Int("o2kit_id", 4), slog.String("Mixed.Case", "m"), slog.Int("a_key_longer_than_the_slot", 5),
		slog.Group("g", slog.Int("_timestamp", 6), slog.Int("o2kit_id", 7)), slog.Int("_timestamp", 8),
	}
	for i := range 200 {
		attrs = append(attrs, slog.Int(fmt.Sprintf("k%d", i), i))
	}
	var warm Encoder
	warm.IDKey = "o2kit_id"
	for range 3 {
		var fresh Encoder
		fresh.IDKey = "o2kit_id"
		want := string(fresh.AppendRecord(nil, 1, []byte("x"), attrs))
		assert.Equal(t, want, string(warm.AppendRecord(nil, 1, []byte("x"), attrs)))
		assert.NotContains(t, want, `"o2kit_id":2`)
		assert.NotContains(t, want, `"o2kit_id":4`)
		assert.Contains(t, want, `"mixed_case":"m"`)
		assert.Contains(t, want, `"g__timestamp":6,"g_o2kit_id":7,"k0"`)
	}
}

// A key is known only when every one of its bytes matches a remembered
// key of the same length.
func TestKeyCacheTellsKeysApart(t *testing.T) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
	for n := 1; n <= maxCachedKey+1; n++ {
		k := alphabet[:n%len(alphabet)] + strings.Repeat("x", n-n%len(alphabet))
		var c keyCache
		c.remember(k)
		assert.Equal(t, n <= maxCachedKey, c.known(k), "length %d", n)
		assert.False(t, c.known(k+"y"), "longer than %q", k)
		if n > 1 {
			assert.False(t, c.known(k[:n-1]), "shorter than %q", k)
		}
		for i := range n {
			b := []byte(k)
			b[i] = 'Q'
			assert.False(t, c.known(string(b)), "%q differs from %q at %d", b, k, i)
		}
	}
}
