package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const (
	feishuTestHook   = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	feishuTestSecret = "f3ishu-signing-secret"
)

// feishuDoc is the custom bot's request body as Feishu documents it: the
// signature fields, msg_type, and content (text) or card (interactive).
type feishuDoc struct {
	Timestamp string `json:"timestamp"`
	Sign      string `json:"sign"`
	MsgType   string `json:"msg_type"`
	Content   *struct {
		Text string `json:"text"`
	} `json:"content"`
	Card *struct {
		Config struct {
			WideScreenMode bool `json:"wide_screen_mode"`
		} `json:"config"`
		Header struct {
			Title struct {
				Tag     string `json:"tag"`
				Content string `json:"content"`
			} `json:"title"`
			Template string `json:"template"`
		} `json:"header"`
		Elements []struct {
			Tag     string `json:"tag"`
			Content string `json:"content"`
		} `json:"elements"`
	} `json:"card"`
}

// feishuBot fakes a Feishu custom bot: it checks the hook and, with a
// secret, the signature as Feishu documents it, then decodes the body
// strictly and answers with answer.
func feishuBot(t *testing.T, secret string, answer chatAnswer) (*httptest.Server, *chatRecorder[feishuDoc]) {
	rec := &chatRecorder[feishuDoc]{}
	srv := chatServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/open-apis/bot/v2/hook/"+feishuTestHook {
			fmt.Fprint(w, `{"code":19001,"msg":"param invalid: incoming webhook access token invalid","data":{}}`)
			return
		}
		var doc feishuDoc
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || (doc.Content == nil) == (doc.Card == nil) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":9499,"msg":"Bad Request","data":{}}`)
			return
		}
		if secret != "" && !feishuVerify(doc, secret) {
			fmt.Fprint(w, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}`)
			return
		}
		rec.add(doc)
		if answer.body == "" {
			answer.body = `{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}`
		}
		answer.write(w)
	})
	return srv, rec
}

// feishuVerify checks the signature the way the bot does: a timestamp (s)
// within an hour, and sign equal to base64(HMAC-SHA256(key=timestamp+"\n"+
// secret, msg="")).
func feishuVerify(doc feishuDoc, secret string) bool {
	ts, err := strconv.ParseInt(doc.Timestamp, 10, 64)
	if err != nil || time.Unix(ts, 0).Sub(chatTime).Abs() > time.Hour {
		return false
	}
	mac := hmac.New(sha256.New, []byte(doc.Timestamp+"\n"+secret))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(doc.Sign), []byte(want))
}

func feishuURL(srv *httptest.Server) string {
	return srv.URL + "/open-apis/bot/v2/hook/" + feishuTestHook
}

func TestFeishuSignKnownAnswer(t *testing.T) {
	// Computed independently with
	// key=$(printf '1599360473\ntest-secret' | xxd -p | tr -d '\n')
	// printf '' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64
	assert.Equal(t, "wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=", feishuSign(1599360473, "test-secret"))
}

func TestFeishuCard(t *testing.T) {
	srv, rec := feishuBot(t, feishuTestSecret, chatAnswer{})
	f, err := NewFeishu(feishuURL(srv), WithFeishuSecret(feishuTestSecret), WithFeishuClock(chatNow),
		WithFeishuHTTPClient(srv.Client()), WithFeishuMentions("ou_123", "all"))
	require.NoError(t, err)

	require.NoError(t, f.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Critical)))
	got := rec.last(t)
	assert.Equal(t, strconv.FormatInt(chatTime.Unix(), 10), got.Timestamp)
	assert.Equal(t, "interactive", got.MsgType)
	require.NotNil(t, got.Card)
	assert.True(t, got.Card.Config.WideScreenMode)
	assert.Equal(t, "plain_text", got.Card.Header.Title.Tag)
	assert.Equal(t, "[FIRING:1] HighErrorRate", got.Card.Header.Title.Content)
	assert.Equal(t, "red", got.Card.Header.Template)
	require.Len(t, got.Card.Elements, 1)
	assert.Equal(t, "markdown", got.Card.Elements[0].Tag)
	md := got.Card.Elements[0].Content
	assert.True(t, strings.HasPrefix(md, "- [firing] HighErrorRate (critical): 5xx above 5% <b> & rising"), md)
	assert.True(t, strings.HasSuffix(md, "\n<at id=ou_123></at> <at id=all></at>"), md)
}

func TestFeishuColors(t *testing.T) {
	tests := []struct {
		status string
		sev    alerting.Severity
		want   string
	}{
		{alerting.StatusFiring, alerting.Critical, "red"},
		{alerting.StatusFiring, alerting.High, "orange"},
		{alerting.StatusFiring, alerting.Medium, "yellow"},
		{alerting.StatusFiring, alerting.Low, "blue"},
		{alerting.StatusFiring, "", "yellow"},
		{alerting.StatusResolved, alerting.Critical, "green"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, feishuColor(chatNotification(tt.status, tt.sev)), "%s %s", tt.status, tt.sev)
	}
}

func TestFeishuText(t *testing.T) {
	srv, rec := feishuBot(t, "", chatAnswer{body: `{"code":0,"msg":"success","data":{}}`})
	f, err := NewFeishu(feishuURL(srv), WithFeishuText(), WithFeishuHTTPClient(srv.Client()),
		WithFeishuMentions("ou_123", "all"), WithFeishuTemplate("{{ .Status }}", "for {{ .Receiver }}"))
	require.NoError(t, err)

	require.NoError(t, f.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Low)))
	got := rec.last(t)
	assert.Empty(t, got.Timestamp)
	assert.Empty(t, got.Sign)
	assert.Equal(t, "text", got.MsgType)
	require.NotNil(t, got.Content)
	assert.Equal(t, "firing\nfor ops\n"+`<at user_id="ou_123"></at> <at user_id="all">所有人</at>`, got.Content.Text)

	require.NoError(t, f.Notify(context.Background(), chatNotification(alerting.StatusResolved, alerting.Low)))
	assert.Equal(t, "resolved\nfor ops", rec.last(t).Content.Text)
}

func TestFeishuErrors(t *testing.T) {
	tests := []struct {
		name      string
		secret    string // the bot's; the notifier signs with feishuTestSecret
		answer    chatAnswer
		code      int
		permanent bool
	}{
		{"wrong secret", "another-secret", chatAnswer{}, 19021, true},
		{"keyword", "", chatAnswer{body: `{"code":19024,"msg":"Key Words Not Found"}`}, 19024, true},
		{"ip", "", chatAnswer{body: `{"code":19022,"msg":"Ip Not Allowed"}`}, 19022, true},
		{"frequency", "", chatAnswer{body: `{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}`}, 11232, false},
		{"too many", "", chatAnswer{body: `{"code":9499,"msg":"too many request","data":{}}`}, 9499, false},
		{"bad request", "", chatAnswer{status: 400, body: `{"code":9499,"msg":"Bad Request","data":{}}`}, 9499, true},
		{"old answer", "", chatAnswer{body: `{"StatusCode":19021,"StatusMessage":"sign match fail"}`}, 19021, true},
		{"unavailable", "", chatAnswer{status: 503, body: "unavailable"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := feishuBot(t, tt.secret, tt.answer)
			f, err := NewFeishu(feishuURL(srv), WithFeishuSecret(feishuTestSecret), WithFeishuClock(chatNow),
				WithFeishuHTTPClient(srv.Client()))
			require.NoError(t, err)
			err = f.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "%v", err)
			if tt.code != 0 {
				var ce *ChatError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
			}
			assertNoSecrets(t, err, feishuTestHook, feishuTestSecret, srv.URL)
		})
	}
}

func TestFeishuConfigErrors(t *testing.T) {
	_, err := NewFeishu("open.feishu.cn/open-apis/bot/v2/hook/"+feishuTestHook, WithFeishuSecret(feishuTestSecret))
	require.Error(t, err)
	assertNoSecrets(t, err, feishuTestHook, feishuTestSecret)
	_, err = NewFeishu("https://open.feishu.cn/open-apis/bot/v2/hook/x", WithFeishuTemplate("", "{{ end }}"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "body template")
}

func TestFeishuLongBody(t *testing.T) {
	srv, rec := feishuBot(t, "", chatAnswer{})
	f, err := NewFeishu(feishuURL(srv), WithFeishuHTTPClient(srv.Client()),
		WithFeishuTemplate("", strings.Repeat("告警", 10<<10)))
	require.NoError(t, err)
	require.NoError(t, f.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High)))
	md := rec.last(t).Card.Elements[0].Content
	assert.LessOrEqual(t, len(md), feishuContentMax)
	assert.True(t, strings.HasSuffix(md, "…"))
}
