package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

const three = "{\"_timestamp\":10,\"a\":1}\n{\"_timestamp\":20,\"a\":2}\n{\"_timestamp\":30,\"a\":3}\n"

func TestLinesAndSplit(t *testing.T) {
	assert.Equal(t, 3, Lines([]byte(three)))
	a, b, ok := Split([]byte(three))
	assert.True(t, ok)
	assert.Equal(t, three, string(a)+string(b))
	assert.Equal(t, 3, Lines(a)+Lines(b))
	assert.Positive(t, Lines(a))
	assert.Positive(t, Lines(b))

	one := []byte("{\"_timestamp\":10,\"long\":\"" + string(make([]byte, 0)) + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n")
	_, _, ok = Split(one)
	assert.False(t, ok)

	// A long first record and a short second: the cut still lands on a boundary.
	two := []byte("{\"_timestamp\":1,\"s\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n{\"_timestamp\":2}\n")
	a, b, ok = Split(two)
	assert.True(t, ok)
	assert.Equal(t, 1, Lines(a))
	assert.Equal(t, 1, Lines(b))
}

func TestAppendArray(t *testing.T) {
	got := AppendArray(nil, []byte(three))
	assert.True(t, json.Valid(got), string(got))
	var v []map[string]int
	assert.NoError(t, json.Unmarshal(got, &v))
	assert.Len(t, v, 3)
	assert.Equal(t, "[]", string(AppendArray(nil, nil)))
}

func TestRestamp(t *testing.T) {
	body := []byte(three + "{\"other\":1}\n")
	out, n := Restamp(nil, body, 25, 99, "original_timestamp")
	assert.Equal(t, 2, n)
	assert.Equal(t, "{\"_timestamp\":99,\"original_timestamp\":10,\"a\":1}\n"+
		"{\"_timestamp\":99,\"original_timestamp\":20,\"a\":2}\n"+
		"{\"_timestamp\":30,\"a\":3}\n{\"other\":1}\n", string(out))

	again, n := Restamp(nil, out, 150, 200, "original_timestamp")
	assert.Equal(t, 3, n)
	assert.Equal(t, "{\"_timestamp\":200,\"original_timestamp\":10,\"a\":1}\n"+
		"{\"_timestamp\":200,\"original_timestamp\":20,\"a\":2}\n"+
		"{\"_timestamp\":200,\"original_timestamp\":30,\"a\":3}\n{\"other\":1}\n", string(again),
		"a record re-stamped twice keeps its first original time")
	quoted := []byte("{\"_timestamp\":5,\"msg\":\"\\\"original_timestamp\\\":1\"}\n")
	out, _ = Restamp(nil, quoted, 25, 99, "original_timestamp")
	assert.Equal(t, "{\"_timestamp\":99,\"original_timestamp\":5,\"msg\":\"\\\"original_timestamp\\\":1\"}\n", string(out),
		"the key's name inside a string value is not the key")

	oldest, ok := OldestStamp(body)
	assert.True(t, ok)
	assert.Equal(t, int64(10), oldest)
	_, ok = OldestStamp([]byte("{\"x\":1}\n"))
	assert.False(t, ok)
}

func FuzzRestamp(f *testing.F) {
	f.Add([]byte(three), int64(25))
	f.Add([]byte("{\"_timestamp\":-5}\n{\"_timestamp\":"), int64(0))
	f.Fuzz(func(t *testing.T, body []byte, cutoff int64) {
		out, n := Restamp(nil, body, cutoff, cutoff+1, "o")
		if n < 0 || n > Lines(body)+1 {
			t.Fatalf("restamped %d of %d lines", n, Lines(body))
		}
		if n == 0 && string(out) != string(body) {
			t.Fatalf("body changed without a restamp")
		}
		a, b, ok := Split(body)
		if string(a)+string(b) != string(body) || (ok && (len(a) == 0 || len(b) == 0)) {
			t.Fatalf("split lost bytes")
		}
	})
}
