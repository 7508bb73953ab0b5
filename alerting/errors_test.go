package alerting

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRuleErrorText(t *testing.T) {
	cause := errors.New("bad")
	e := &RuleError{File: "a.yaml", Line: 3, Column: 11, Group: "shop", Rule: "HighErrors", Field: "expr", Err: cause}
	assert.Equal(t, `alerting: a.yaml:3:11: group "shop", rule "HighErrors", field "expr": bad`, e.Error())
	assert.ErrorIs(t, e, cause)
	assert.Equal(t, `alerting: rule "#2": bad`, (&RuleError{Rule: "#2", Err: cause}).Error())
}

func TestStateText(t *testing.T) {
	for s := StateInactive; s <= StateResolved; s++ {
		b, err := s.MarshalText()
		assert.NoError(t, err)
		var back State
		assert.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	assert.Error(t, new(State).UnmarshalText([]byte("burning")))
	assert.Equal(t, "State(9)", State(9).String())
}
