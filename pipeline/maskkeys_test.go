package pipeline

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The secret-key cache answers as the names do, for keys seen before, for
// many more keys than it has slots, and for long keys it does not keep.
func TestSecretKeyCache(t *testing.T) {
	m := MaskPII(WithSecretKeys("pin"))
	long := "a_very_long_key_name_that_goes_on_and_on_past_what_the_cache_keeps_token"
	for round := range 3 {
		for i := range 300 {
			k := fmt.Sprintf("f%d_path", i)
			assert.False(t, m.isSecret(k), "round %d: %s", round, k)
			assert.True(t, m.isSecret(fmt.Sprintf("f%d_auth", i)), "round %d", round)
		}
		for k, want := range map[string]bool{"path": false, "auth": true, "userPin": true, "DBPassword": true, long: true, "": false} {
			assert.Equal(t, want, m.isSecret(k), "round %d: %q", round, k)
		}
	}
}

// FuzzSecretKeysRuledOut checks the shortcut of secretKeys.match: a key it
// rules out by its last two bytes matches no name, whatever the names.
func FuzzSecretKeysRuledOut(f *testing.F) {
	for _, k := range []string{"path", "auth", "userPin", "DBPassword", "x-api-key", "order_id", "a", "AUTH", "oauth2"} {
		f.Add(k, "pin")
	}
	f.Add("sessionToken", "t")
	f.Fuzz(func(t *testing.T, key, name string) {
		for _, s := range []secretKeys{newSecretKeys(nil), newSecretKeys([]string{name})} {
			if s.ruledOut(key) && s.matchCanonical(key) {
				t.Fatalf("%q ruled out, yet it names a secret (extra name %q)", key, name)
			}
		}
	})
}
