package notify

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

func FuzzChatCut(f *testing.F) {
	f.Add("告警告警告警", 10)
	f.Add("abc", 0)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		got := chatCut(s, max)
		if len(s) <= max {
			require.Equal(t, s, got)
			return
		}
		require.True(t, strings.HasSuffix(got, "…"))
		require.True(t, strings.HasPrefix(s, strings.TrimSuffix(got, "…")))
		if max >= len("…") {
			require.LessOrEqual(t, len(got), max)
		}
		if utf8.ValidString(s) {
			require.True(t, utf8.ValidString(got))
		}
	})
}

// FuzzChatAnswer feeds arbitrary robot answers to every vendor's decoder:
// no panic, success only for a code of 0, and the secret never echoed.
func FuzzChatAnswer(f *testing.F) {
	for _, s := range []string{
		`{"errcode":0,"errmsg":"ok"}`,
		`{"errcode":130101,"errmsg":"send too fast"}`,
		`{"code":19021,"msg":"sign match fail SECRET"}`,
		`{"StatusCode":0,"StatusMessage":"success"}`,
		`{"code":9499,"msg":"too many request"}`,
		`ok`, `null`, `{"errcode":"x"}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []chatVendor{dingTalkVendor, feishuVendor, weComVendor} {
			err := chatResult(v, []string{"SECRET"}, body, nil)
			code, msg, ok := v.decode(body)
			assert.Equal(t, ok && code == 0, err == nil, "%s %q", v.name, body)
			if err != nil {
				assert.NotContains(t, err.Error(), "SECRET")
				var ce *ChatError
				assert.ErrorAs(t, err, &ce)
				assert.Equal(t, ok && !v.retryable(code, msg), alerting.IsPermanent(err))
			}
		}
	})
}
