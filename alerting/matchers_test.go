package alerting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMatchers(t *testing.T) {
	ms, err := parseMatchers([]string{`severity="critical"`, `{service=~"pay.*", env!="dev"}`})
	require.NoError(t, err)
	require.Len(t, ms, 3)
	assert.True(t, matchAll(ms, map[string]string{"severity": "critical", "service": "payments"}))
	assert.False(t, matchAll(ms, map[string]string{"severity": "critical", "service": "payments", "env": "dev"}))
	assert.False(t, matchAll(ms, map[string]string{"severity": "high", "service": "payments"}))

	for _, bad := range []string{`severity=`, `=~"x"`, `a=~"("`} {
		_, err := parseMatchers([]string{bad})
		assert.Error(t, err, bad)
	}
}
