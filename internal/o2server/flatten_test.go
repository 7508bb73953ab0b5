package o2server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func flat(t *testing.T, f flattener, in string) string {
	t.Helper()
	v, err := parseJSON([]byte(in))
	require.Nil(t, err)
	out, ferr := f.flatten(v)
	require.NoError(t, ferr)
	return string(appendJSON(nil, &out, false))
}

// The cases of test_flatten_with_level in src/config/src/utils/flatten.rs.
func TestFlattenLevels(t *testing.T) {
	in := `{"firstName":"John","lastName":"Doe","age":25,"info":{"address":{"streetAddress":"123 Main St","city":"Anytown","state":"CA","postalCode":"12345","phoneNumbers":{"type":"home","number":"555-555-1234"}},"phoneNumbers":[{"type":"home","number":"555-555-1234"},{"type":"work","number":"555-555-5678"}]}}`
	phones := `"info_phonenumbers":"[{\"number\":\"555-555-1234\",\"type\":\"home\"},{\"number\":\"555-555-5678\",\"type\":\"work\"}]"`
	full := `{"firstname":"John","lastname":"Doe","age":25,"info_address_streetaddress":"123 Main St","info_address_city":"Anytown","info_address_state":"CA","info_address_postalcode":"12345","info_address_phonenumbers_type":"home","info_address_phonenumbers_number":"555-555-1234",` + phones + `}`
	tests := map[int]string{
		0: full,
		1: `{"firstname":"John","lastname":"Doe","age":25,"info":"{\"address\":{\"city\":\"Anytown\",\"phoneNumbers\":{\"number\":\"555-555-1234\",\"type\":\"home\"},\"postalCode\":\"12345\",\"state\":\"CA\",\"streetAddress\":\"123 Main St\"},\"phoneNumbers\":[{\"number\":\"555-555-1234\",\"type\":\"home\"},{\"number\":\"555-555-5678\",\"type\":\"work\"}]}"}`,
		2: `{"firstname":"John","lastname":"Doe","age":25,"info_address":"{\"city\":\"Anytown\",\"phoneNumbers\":{\"number\":\"555-555-1234\",\"type\":\"home\"},\"postalCode\":\"12345\",\"state\":\"CA\",\"streetAddress\":\"123 Main St\"}",` + phones + `}`,
		3: `{"firstname":"John","lastname":"Doe","age":25,"info_address_streetaddress":"123 Main St","info_address_city":"Anytown","info_address_state":"CA","info_address_postalcode":"12345","info_address_phonenumbers":"{\"number\":\"555-555-1234\",\"type\":\"home\"}",` + phones + `}`,
		4: full,
		5: full,
	}
	for level, want := range tests {
		assert.Equal(t, want, flat(t, flattener{level: level, sorted: true}, in), "level %d", level)
	}
}

func TestFlattenInsertionOrder(t *testing.T) {
	got := flat(t, flattener{level: 1}, `{"a":{"z":1,"b":{"y":2,"c":3}}}`)
	assert.Equal(t, `{"a":"{\"z\":1,\"b\":{\"y\":2,\"c\":3}}"}`, got)
}

func TestFlattenArraysAndEmptyValues(t *testing.T) {
	f := flattener{level: 3, sorted: true}
	assert.Equal(t, `{"s_a":"[1,2.0,\"b\",null,true]"}`, flat(t, f, `{"s":{"a":[1,2.0,"b",null,true]}}`))
	assert.Equal(t, `{"a":"[1,[2,[3,4],5],6]"}`, flat(t, f, `{"a":[1,[2,[3,4],5],6]}`))
	assert.Equal(t, `{"k":1}`, flat(t, f, `{"e":[],"o":{},"n":{"x":null},"k":1}`))
	// A flat object keeps its nulls (the server's fast path).
	assert.Equal(t, `{"a":null,"b":1}`, flat(t, f, `{"a":null,"B":1}`))
}

func TestFlattenKeys(t *testing.T) {
	f := flattener{level: 3, sorted: true}
	assert.Equal(t, `{"hello_world_123_":1,"test_key_here":2,"hello__":3,"_timestamp":4}`,
		flat(t, f, `{"Hello!World@123#":1,"test.key-here":2,"hello世界":3,"@timestamp":4}`))
	assert.Equal(t, `{"a_b_c":1}`, flat(t, f, `{"A":{"B":{"C":1}}}`))
}

func TestFlattenRejectsNonObjects(t *testing.T) {
	for _, in := range []string{`3`, `""`, `false`, `null`, `[1,2]`} {
		v, _ := parseJSON([]byte(in))
		_, err := flattener{level: 3}.flatten(v)
		assert.ErrorIs(t, err, errNotObject, in)
	}
}
