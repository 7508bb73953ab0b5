package alerting

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzAPIRuleJSON checks that decoding a rule body never panics, that a
// refused body names a field, and that a decoded rule written back and
// read again is the same rule written the same way.
func FuzzAPIRuleJSON(f *testing.F) {
	for _, s := range []string{
		apiFullRule, apiFullRuleOut, `{}`, `null`, `[]`, `{"name": "A", "alert": "A"}`,
		`{"for": "1y2w3d4h5m6s7ms", "keep_firing_for": "90m", "sql": {}}`,
		`{"labels": {}, "receivers": [], "suppress": [{}], "escalation": [{"after": "0s"}]}`,
		`{"sql": {"query": "SELECT 1", "range": "0"}, "enabled": null, "severity": "urgent"}`,
		`{"labels": {"a": "\u00e9\ud800"}, "description": "<b>&</b>"}`,
		`{"for": "99999999999y"}`, `{"escalation": [{"receivers": [null]}]}`, `{"": "0"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, r, err := apiDecodeRule(body)
		if err != nil {
			var in *apiInputError
			require.True(t, errors.As(err, &in), "%T %v", err, err)
			require.NotEmpty(t, in.Field)
			return
		}
		out, err := json.Marshal(apiRuleOut(r))
		require.NoError(t, err)
		group, back, err := apiDecodeRule(out)
		require.NoError(t, err, "%s", out)
		require.Empty(t, group, "the group is not written back")
		require.Equal(t, r, back, "%s", out)
		again, err := json.Marshal(apiRuleOut(back))
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}

// FuzzAPISilenceJSON checks that decoding a silence body never panics,
// that a refused body names a field, and that an accepted silence has an
// author and is one the silence store takes.
func FuzzAPISilenceJSON(f *testing.F) {
	for _, s := range []string{
		`{"matchers": ["a=\"b\""], "duration": "2h", "created_by": "ana"}`,
		`{"matchers": ["{a=~\"x.*\", b!=\"\"}"], "starts_at": "2026-11-30T09:00:00+01:00", "ends_at": "2026-11-30T10:00:00Z", "created_by": "bo", "comment": "c"}`,
		`{"matchers": [], "duration": "0s"}`, `{}`, `null`, `{"": null}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := apiDecodeSilence(body, now)
		if err != nil {
			var in *apiInputError
			require.True(t, errors.As(err, &in), "%T %v", err, err)
			require.NotEmpty(t, in.Field)
			return
		}
		_, err = compileSilence(s)
		require.NoError(t, err, "what the API takes, the silence store takes")
		require.NotEmpty(t, strings.TrimSpace(s.CreatedBy))
	})
}
