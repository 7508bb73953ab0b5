package timeseries

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromStrings(t *testing.T) {
	ls, err := FromStrings("method", "GET", "code", "200", "method", "POST")
	require.NoError(t, err)
	assert.Equal(t, Labels{{"code", "200"}, {"method", "POST"}}, ls, "sorted, last value wins")
	assert.Equal(t, "POST", ls.Get("method"))
	assert.Equal(t, "", ls.Get("missing"))
	assert.Equal(t, `{code="200", method="POST"}`, ls.String())
	assert.Equal(t, "{}", Labels(nil).String())

	_, err = FromStrings("odd")
	assert.ErrorIs(t, err, ErrInvalidLabels)
}

func TestHashSeparatesFields(t *testing.T) {
	a := hashSeries("m", Labels{{"a", "bc"}})
	b := hashSeries("m", Labels{{"ab", "c"}})
	c := hashSeries("ma", Labels{{"", "bc"}})
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, a, c)
}

func TestMatchers(t *testing.T) {
	ls := mustLabels(t, "env", "prod", "code", "503")
	re5xx, err := Regexp("code", "5..")
	require.NoError(t, err)
	notProd, err := NotRegexp("env", "prod|staging")
	require.NoError(t, err)
	partial, err := Regexp("code", "5")
	require.NoError(t, err)
	tests := []struct {
		name string
		m    Matcher
		want bool
	}{
		{"equal", Equal("env", "prod"), true},
		{"equal other", Equal("env", "dev"), false},
		{"equal missing is empty", Equal("region", ""), true},
		{"not equal", NotEqual("env", "dev"), true},
		{"not equal same", NotEqual("env", "prod"), false},
		{"regexp", re5xx, true},
		{"regexp anchored", partial, false},
		{"not regexp", notProd, false},
		{"func", MatcherFunc(func(l Labels) bool { return len(l) == 2 }), true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Matches(ls), tt.name)
	}
	_, err = Regexp("x", "(")
	assert.Error(t, err)
	_, err = NotRegexp("x", "[")
	assert.Error(t, err)
}
