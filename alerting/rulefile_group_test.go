package alerting

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseRulesGroupLimitOffset keeps a group's limit and query offset.
func TestParseRulesGroupLimitOffset(t *testing.T) {
	src := "groups:\n  - name: a\n    limit: 10\n    query_offset: 90s\n    rules:\n      - alert: A\n        expr: up == 0\n" +
		"  - name: b\n    rules:\n      - alert: B\n        expr: up == 0\n"
	groups, err := ParseRules([]byte(src), "g.yaml")
	require.NoError(t, err)
	require.Len(t, groups, 2)
	assert.Equal(t, 10, groups[0].Limit)
	assert.Equal(t, 90*time.Second, groups[0].QueryOffset)
	assert.Zero(t, groups[1].Limit)
	assert.Zero(t, groups[1].QueryOffset)
}

func TestParseRulesGroupLimitOffsetErrors(t *testing.T) {
	tests := []struct{ name, src, field, msg string }{
		{"negative limit", "groups:\n  - name: g\n    limit: -3\n", "limit", "whole number"},
		{"limit text", "groups:\n  - name: g\n    limit: ten\n", "limit", "whole number"},
		{"negative offset", "groups:\n  - name: g\n    query_offset: -1m\n", "query_offset", "not a valid duration"},
		{"offset text", "groups:\n  - name: g\n    query_offset: soon\n", "query_offset", "not a valid duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.src), "g.yaml")
			var re *RuleError
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, tt.field, re.Field)
			assert.Equal(t, 3, re.Line)
			assert.ErrorContains(t, re, tt.msg)
		})
	}
}

// TestGroupValidateLimitOffset rejects a negative limit or query offset
// given as Go values.
func TestGroupValidateLimitOffset(t *testing.T) {
	rules := []Rule{{Name: "A", Expr: "up == 0"}}
	require.NoError(t, Group{Name: "g", Limit: 5, QueryOffset: time.Minute, Rules: rules}.Validate())

	err := Group{Name: "g", Limit: -1, Rules: rules}.Validate()
	var re *RuleError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "limit", re.Field)
	assert.Equal(t, "g", re.Group)
	assert.ErrorContains(t, err, "limit -1 is negative")

	err = Group{Name: "g", QueryOffset: -time.Second, Rules: rules}.Validate()
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "query_offset", re.Field)
	assert.ErrorContains(t, err, "query offset -1s is negative")
}
