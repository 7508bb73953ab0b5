package wire

import (
	"bytes"
	"errors"
	"fmt"
)

// The metrics ingestion endpoint takes a JSON array of samples and fails
// the whole request when one sample is not usable, so a sample is checked
// on its own before it joins a batch.

// Sample keys with a meaning to the metrics endpoint.
const (
	sampleName  = "__name__"
	sampleType  = "__type__"
	sampleValue = "value"
)

// sampleTypes are the __type__ values the server accepts, in any case.
var sampleTypes = []string{"counter", "gauge", "histogram", "summary"}

// CheckSample reports why the metrics endpoint would refuse a record that
// [Encoder.AppendRecord] wrote, line, or nil: it needs a string __name__
// and a numeric value, and a string __type__ must name a metric type.
// When a key appears twice (two attributes that normalise alike), the last
// counts, as on the server.
func CheckSample(line []byte) error {
	var name, typ, value []byte
	err := members(line, func(key, val []byte) {
		switch string(key) {
		case sampleName:
			name = val
		case sampleType:
			typ = val
		case sampleValue:
			value = val
		}
	})
	switch {
	case err != nil:
		return err
	case name == nil:
		return errors.New("no __name__")
	case name[0] != '"':
		return fmt.Errorf("__name__ %s is not a string", name)
	case typ != nil && typ[0] == '"' && !knownType(typ[1:len(typ)-1]):
		return fmt.Errorf("__type__ %s is not counter, gauge, histogram or summary", typ)
	case value == nil:
		return errors.New("no value")
	case value[0] != '-' && (value[0] < '0' || value[0] > '9'):
		// null is a NaN or an infinity, which JSON cannot carry.
		return fmt.Errorf("value %s is not a finite number", clipValue(value))
	}
	return nil
}

func knownType(t []byte) bool {
	for _, k := range sampleTypes {
		if bytes.EqualFold(t, []byte(k)) {
			return true
		}
	}
	return false
}

func clipValue(v []byte) []byte {
	if len(v) > 40 {
		return append(v[:37:37], "..."...)
	}
	return v
}

// members calls f with the key and the raw value of each member of the
// flat JSON object an Encoder writes: values are strings, numbers, true,
// false or null.
func members(line []byte, f func(key, val []byte)) error {
	line = bytes.TrimRight(line, "\n")
	if len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return errors.New("not a JSON object")
	}
	for i := 1; i < len(line)-1; {
		if line[i] == ',' {
			i++
		}
		end := stringEnd(line, i)
		if end < 0 || end+1 >= len(line) || line[end+1] != ':' {
			return errors.New("malformed member")
		}
		key := line[i+1 : end]
		i = end + 2
		var vend int
		if i < len(line) && line[i] == '"' {
			vend = stringEnd(line, i) + 1
		} else {
			vend = i
			for vend < len(line) && line[vend] != ',' && line[vend] != '}' {
				vend++
			}
			if vend == len(line) {
				vend = -1
			}
		}
		if vend <= i {
			return errors.New("malformed value")
		}
		f(key, line[i:vend])
		i = vend
	}
	return nil
}

// stringEnd returns the index of the quote that ends the JSON string
// starting at line[i], or -1. A quote ends it unless an odd number of
// backslashes comes before it.
func stringEnd(line []byte, i int) int {
	if i >= len(line) || line[i] != '"' {
		return -1
	}
	for j := i + 1; ; j++ {
		k := bytes.IndexByte(line[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		b := j - 1
		for b > i && line[b] == '\\' {
			b--
		}
		if (j-1-b)%2 == 0 {
			return j
		}
	}
}
