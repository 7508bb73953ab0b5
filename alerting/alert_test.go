package alerting

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlertJSONWritesNonFiniteValuesAsNull(t *testing.T) {
	for _, v := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		b, err := json.Marshal(Alert{ID: "a", State: StateFiring, Value: v})
		require.NoError(t, err)
		assert.Contains(t, string(b), `"value":null`)
		var back Alert
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, StateFiring, back.State)
	}
	b, err := json.Marshal(Alert{ID: "a", Value: 0.25})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"value":0.25`)
	assert.Contains(t, string(b), `"state":"inactive"`)
}
