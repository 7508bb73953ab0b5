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
