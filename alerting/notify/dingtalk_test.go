package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const (
	dingTalkTestToken  = "d1ngtalk-access-token-0123456789abcdef"
	dingTalkTestSecret = "SECd1ngtalk-signing-secret"
)

// dingTalkDoc is the markdown message as DingTalk documents it
// (msgtype, markdown{title,text}, at{atMobiles,atUserIds,isAtAll}).
type dingTalkDoc struct {
	MsgType  string `json:"msgtype"`
	Markdown *struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
	At *struct {
		AtMobiles []string `json:"atMobiles"`
		AtUserIDs []string `json:"atUserIds"`
		IsAtAll   bool     `json:"isAtAll"`
	} `json:"at"`
}

type dingTalkReq struct {
	query url.Values
	doc   dingTalkDoc
}

// dingTalkRobot fakes a DingTalk robot: it checks the token and, with a
// secret, the timestamp and signature as DingTalk documents them, then
// decodes the message strictly and answers with answer.
func dingTalkRobot(t *testing.T, secret string, answer chatAnswer) (*httptest.Server, *chatRecorder[dingTalkReq]) {
	rec := &chatRecorder[dingTalkReq]{}
	srv := chatServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPost || r.URL.Path != "/robot/send" || q.Get("access_token") != dingTalkTestToken {
			fmt.Fprint(w, `{"errcode":300001,"errmsg":"token is not exist"}`)
			return
		}
		if secret != "" {
			if msg := dingTalkVerify(q, secret); msg != "" {
				fmt.Fprintf(w, `{"errcode":310000,"errmsg":%q}`, msg)
				return
			}
		}
		var doc dingTalkDoc
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || doc.MsgType != "markdown" || doc.Markdown == nil {
			fmt.Fprint(w, `{"errcode":40035,"errmsg":"缺少参数 json"}`)
			return
		}
		rec.add(dingTalkReq{query: q, doc: doc})
		if answer.body == "" {
			answer.body = `{"errcode":0,"errmsg":"ok"}`
		}
		answer.write(w)
	})
	return srv, rec
}

// dingTalkVerify checks a signed request the way the robot does: the
// timestamp (ms) within an hour of now, and sign equal to
// base64(HMAC-SHA256(key=secret, msg=timestamp+"\n"+secret)).
func dingTalkVerify(q url.Values, secret string) string {
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil || time.UnixMilli(ts).Sub(chatTime).Abs() > time.Hour {
		return "invalid timestamp"
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", ts, secret)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(q.Get("sign")), []byte(want)) {
		return "sign not match"
	}
	return ""
}

func dingTalkURL(srv *httptest.Server) string {
	return srv.URL + "/robot/send?access_token=" + dingTalkTestToken
}

func TestDingTalkSignKnownAnswer(t *testing.T) {
	// Computed independently with
	// printf '1700000000000\nSECtest-secret' | openssl dgst -sha256 -hmac 'SECtest-secret' -binary | base64
	assert.Equal(t, "LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g=", dingTalkSign(1700000000000, "SECtest-secret"))

	d, err := NewDingTalk("https://oapi.dingtalk.com/robot/send?access_token=abc",
		WithDingTalkSecret("SECtest-secret"), WithDingTalkClock(func() time.Time { return time.UnixMilli(1700000000000) }))
	require.NoError(t, err)
	assert.Equal(t, "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"+
		"&sign=LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D", d.endpoint())
}

func TestDingTalkNotify(t *testing.T) {
	srv, rec := dingTalkRobot(t, dingTalkTestSecret, chatAnswer{})
	d, err := NewDingTalk(dingTalkURL(srv), WithDingTalkSecret(dingTalkTestSecret), WithDingTalkClock(chatNow),
		WithDingTalkHTTPClient(srv.Client()), WithDingTalkAtMobiles("13800001111"), WithDingTalkAtUserIDs("user42"))
	require.NoError(t, err)

	require.NoError(t, d.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Critical)))
	got := rec.last(t)
	assert.Equal(t, strconv.FormatInt(chatTime.UnixMilli(), 10), got.query.Get("timestamp"))
	assert.Equal(t, "[FIRING:1] HighErrorRate", got.doc.Markdown.Title)
	assert.True(t, strings.HasPrefix(got.doc.Markdown.Text, "#### [FIRING:1] HighErrorRate\n\n- [firing] HighErrorRate (critical)"))
	require.NotNil(t, got.doc.At)
	assert.Equal(t, []string{"13800001111"}, got.doc.At.AtMobiles)
	assert.Equal(t, []string{"user42"}, got.doc.At.AtUserIDs)
	assert.False(t, got.doc.At.IsAtAll)
	assert.True(t, strings.HasSuffix(got.doc.Markdown.Text, "\n\n@13800001111 @user42"), "DingTalk needs @mobile in the text")

	require.NoError(t, d.Notify(context.Background(), chatNotification(alerting.StatusResolved, alerting.Critical)))
	got = rec.last(t)
	assert.Nil(t, got.doc.At, "resolved notifications do not page")
	assert.NotContains(t, got.doc.Markdown.Text, "@13800001111")
}

func TestDingTalkUnsigned(t *testing.T) {
	srv, rec := dingTalkRobot(t, "", chatAnswer{})
	d, err := NewDingTalk(dingTalkURL(srv), WithDingTalkHTTPClient(srv.Client()), WithDingTalkAtAll(),
		WithDingTalkTemplate("{{ .Status }} alert", "body of {{ .Receiver }}"))
	require.NoError(t, err)
	require.NoError(t, d.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Low)))
	got := rec.last(t)
	assert.Empty(t, got.query.Get("sign"))
	assert.Equal(t, "firing alert", got.doc.Markdown.Title)
	assert.Equal(t, "#### firing alert\n\nbody of ops", got.doc.Markdown.Text)
	require.NotNil(t, got.doc.At)
	assert.True(t, got.doc.At.IsAtAll)
}

func TestDingTalkErrors(t *testing.T) {
	tests := []struct {
		name      string
		secret    string // the robot's; the notifier always signs with dingTalkTestSecret
		answer    chatAnswer
		code      int
		permanent bool
	}{
		{"wrong secret", "SECanother", chatAnswer{}, 310000, true},
		{"keyword", "", chatAnswer{body: `{"errcode":310000,"errmsg":"keywords not in content"}`}, 310000, true},
		{"too fast", "", chatAnswer{body: `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`}, 130101, false},
		{"throttled", "", chatAnswer{body: `{"errcode":410100,"errmsg":"send too fast"}`}, 410100, false},
		{"busy", "", chatAnswer{body: `{"errcode":-1,"errmsg":"system busy"}`}, -1, false},
		{"server error", "", chatAnswer{status: 502, body: "bad gateway"}, 0, false},
		{"not json", "", chatAnswer{body: "<html>ok</html>"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := dingTalkRobot(t, tt.secret, tt.answer)
			d, err := NewDingTalk(dingTalkURL(srv), WithDingTalkSecret(dingTalkTestSecret),
				WithDingTalkClock(chatNow), WithDingTalkHTTPClient(srv.Client()))
			require.NoError(t, err)
			err = d.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "%v", err)
			if tt.code != 0 {
				var ce *ChatError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
			}
			assertNoSecrets(t, err, dingTalkTestToken, dingTalkTestSecret, srv.URL)
		})
	}
}

func TestDingTalkConfigErrors(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"no token", "https://oapi.dingtalk.com/robot/send", "no access_token"},
		{"bad url", "oapi.dingtalk.com/robot/send?access_token=" + dingTalkTestToken, "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDingTalk(tt.url, WithDingTalkSecret(dingTalkTestSecret))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoSecrets(t, err, dingTalkTestToken, dingTalkTestSecret)
		})
	}
	_, err := NewDingTalk("https://oapi.dingtalk.com/robot/send?access_token=x", WithDingTalkTemplate("{{ .Nope", ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "title template")
}

func TestDingTalkMessageJSON(t *testing.T) {
	d, err := NewDingTalk("https://oapi.dingtalk.com/robot/send?access_token=x", WithDingTalkAtMobiles("13800001111"))
	require.NoError(t, err)
	b, err := json.Marshal(d.message("T", "B", true))
	require.NoError(t, err)
	assert.JSONEq(t, `{"msgtype":"markdown","markdown":{"title":"T","text":"#### T\n\nB\n\n@13800001111"},`+
		`"at":{"atMobiles":["13800001111"]}}`, string(b))
	assert.False(t, bytes.Contains(b, []byte("isAtAll")))
}
