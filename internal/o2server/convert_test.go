package o2server

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func jv(t *testing.T, s string) jvalue {
	t.Helper()
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMergeTypeWidensWithinABatch(t *testing.T) {
	for _, tt := range []struct{ have, next, want string }{
		{"", tInt64, tInt64}, {tBool, tInt64, tInt64}, {tInt64, tBool, tInt64}, {tInt64, tFloat64, tFloat64},
		{tFloat64, tInt64, tFloat64}, {tFloat64, tUtf8, tUtf8}, {tUtf8, tBool, tUtf8}, {tUInt64, tInt64, tUInt64},
		{tUInt64, tFloat64, tFloat64}, {tInt64, tUtf8, tUtf8}, {tFloat64, tBool, tFloat64},
	} {
		assert.Equal(t, tt.want, mergeType(tt.have, tt.next), "%s + %s", tt.have, tt.next)
	}
	assert.Equal(t, tUInt64, valueType(&jvalue{kind: jNumber, s: "18446744073709551615"}))
}

func TestIsWidening(t *testing.T) {
	assert.True(t, isWidening("Int64", "Float64"))
	assert.True(t, isWidening("Boolean", "Utf8"))
	assert.False(t, isWidening("Float64", "Int64"))
	assert.False(t, isWidening("Utf8", "Int64"))
	assert.True(t, isWidening("Date32", "Utf8"))
	assert.False(t, isWidening("Date32", "Int64"))
}

func TestCastValue(t *testing.T) {
	for _, tt := range []struct {
		in, typ, want string
		ok            bool
	}{
		{`5`, "Utf8", `"5"`, true},
		{`1.0`, "Utf8", `"1"`, true},
		{`true`, "Utf8", `"true"`, true},
		{`"12"`, "Int64", `12`, true},
		{`"x"`, "Int64", ``, false},
		{`false`, "Int32", `0`, true},
		{`"7"`, "UInt64", `7`, true},
		{`"-7"`, "UInt8", ``, false},
		{`"1.5"`, "Float64", `1.5`, true},
		{`true`, "Float32", `1.0`, true},
		{`"nope"`, "Float64", ``, false},
		{`2`, "Boolean", `true`, true},
		{`"false"`, "Boolean", `false`, true},
		{`"yes"`, "Boolean", ``, false},
		{`1`, "Date32", ``, false},
		{`null`, "Date32", `null`, true},
		{`[1]`, "Int64", ``, false},
	} {
		got, ok := castValue(jv(t, tt.in), tt.typ)
		assert.Equal(t, tt.ok, ok, "%s as %s", tt.in, tt.typ)
		if ok {
			assert.Equal(t, tt.want, string(appendJSON(nil, &got, true)), "%s as %s", tt.in, tt.typ)
		}
	}
}

func TestColumnValue(t *testing.T) {
	for _, tt := range []struct {
		in, typ string
		want    any
	}{
		{`"42"`, "Int64", int64(42)}, {`"x"`, "Int64", int64(0)}, {`2.9`, "Int64", int64(2)}, {`true`, "Int64", int64(1)},
		{`18446744073709551615`, "Int64", int64(-1)},
		{`"3"`, "Float64", 3.0}, {`true`, "Float64", 1.0}, {`7`, "Float64", 7.0},
		{`1`, "Boolean", int64(1)}, {`"true"`, "Boolean", int64(1)}, {`"x"`, "Boolean", int64(0)},
		{`2.0`, "Utf8", "2.0"}, {`1e2`, "Utf8", "100.0"}, {`false`, "Utf8", "false"}, {`18446744073709551615`, "Utf8", "18446744073709551615"},
		{`18446744073709551615`, "UInt64", int64(-1)}, {`-1`, "UInt64", int64(-1)}, {`"5"`, "UInt64", int64(5)}, {`2.5`, "UInt64", int64(2)},
		{`5`, "Date32", "5"}, {`"d"`, "Date32", "d"}, {`null`, "Int64", nil},
	} {
		v := jv(t, tt.in)
		assert.Equal(t, tt.want, columnValue(&v, tt.typ), "%s as %s", tt.in, tt.typ)
	}
	assert.Equal(t, uint64(math.MaxUint64), hitValue(int64(-1), "UBIGINT"))
	assert.Equal(t, true, hitValue(1.0, "BOOLEAN"))
	assert.Equal(t, "b", hitValue([]byte("b"), "TEXT"))
}

func TestConvertStoredFollowsTheWrittenType(t *testing.T) {
	assert.Equal(t, "true", convertStored(1.0, "Boolean", "Utf8"))
	assert.Equal(t, 0.0, convertStored(int64(0), "Boolean", "Float64"))
	assert.Equal(t, int64(1), convertStored(int64(1), "Boolean", "Int64"))
	assert.Equal(t, "5", convertStored(5.0, "Int64", "Utf8"))
	assert.Equal(t, "18446744073709551615", convertStored(int64(-1), "UInt64", "Utf8"))
	assert.Equal(t, 5.0, convertStored(int64(5), "Int64", "Float64"))
	assert.Equal(t, "2.0", convertStored(2.0, "Float64", "Utf8"))
	assert.Equal(t, "s", convertStored("s", "Utf8", "LargeUtf8"))
	assert.Nil(t, convertStored(nil, "Int64", "Utf8"))
}

func TestDisplayAndText(t *testing.T) {
	for in, want := range map[string]string{`1e20`: "100000000000000000000", `"s"`: "s", `null`: "", `[1,2]`: "[1,2]", `18446744073709551615`: "18446744073709551615"} {
		v := jv(t, in)
		assert.Equal(t, want, displayString(&v), in)
	}
	assert.Equal(t, "NaN", formatRustFloat(math.NaN()))
	assert.Equal(t, "-inf", formatRyu(math.Inf(-1)))
}

func TestRFC2822Dates(t *testing.T) {
	for in, want := range map[string]int64{
		"Wed, 8 Mar 2023 16:46:51 CST": 1678315611000000,
		"8 Mar 2023 16:46 +0100":       1678290360000000,
		"Wed, 08 Mar 23 16:46:51 GMT":  1678294011000000,
		"Wed, 08 Mar 2023 16:46:51 Z":  1678294011000000,
		"8 Mar 2023 16:46:51 -0230":    1678303011000000,
	} {
		got, err := parseTimeString(in, 0)
		assert.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"31 Feb 2023 10:00:00 GMT", "8 Foo 2023 10:00:00 GMT", "8 Mar 2023 10:00:00 XYZ", "8 Mar 2023 25:00:00 GMT"} {
		_, err := parseTimeString(in, 0)
		assert.Error(t, err, in)
	}
}
