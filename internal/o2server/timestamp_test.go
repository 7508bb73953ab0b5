package o2server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimestampOfValues(t *testing.T) {
	now := nowUS()
	tests := []struct {
		in    string
		want  int64
		valid bool
	}{
		{`1609459200`, 1609459200000000, false},
		{`1609459200000`, 1609459200000000, false},
		{`1609459200000000`, 1609459200000000, true},
		{`1609459200000000000`, 1609459200000000, false},
		{`0`, now, false},
		{`1609459200.9`, 1609459200000000, false},
		{`"1609459200000"`, 1609459200000000, false},
		{`"1609459200.5"`, 1609459200000000, false},
		{`"2021-01-01T00:00:00"`, 1609459200000000, false},
		{`"2021-01-01T00:00:00Z"`, 1609459200000000, false},
		{`"2021-01-01T00:00:00+08:00"`, 1609430400000000, false},
		{`"2021-01-01T00:00:00-08:00"`, 1609488000000000, false},
		{`"2021-01-01 00:00:00"`, 1609459200000000, false},
		{`"2021-01-01T00:00:00.000000Z"`, 1609459200000000, false},
		{`"2021-01-01T00:00:00.123"`, 1609459200123000, false},
		{`"2021-01-01T00:00:00.123456"`, 1609459200123456, false},
		{`"2021-01-01T00:00:00.123456+08:00"`, 1609430400123456, false},
		{`"2021-01-01T00:00:00.123456789-08:00"`, 1609488000123456, false},
		{`"Wed, 8 Mar 2023 16:46:51 CST"`, 1678315611000000, false},
	}
	for _, tt := range tests {
		v, err := parseJSON([]byte(tt.in))
		require.Nil(t, err)
		got, valid, terr := timestampOf(&v, now)
		require.NoError(t, terr, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.valid, valid, tt.in)
	}
}

func TestTimestampOfFailures(t *testing.T) {
	for _, in := range []string{`true`, `{"a":1}`, `"yesterday"`, `"2021-01-01T00:00:00.123456789"`, `[1]`} {
		v, _ := parseJSON([]byte(in))
		_, _, err := timestampOf(&v, nowUS())
		assert.EqualError(t, err, "Can't parse timestamp", in)
	}
}
