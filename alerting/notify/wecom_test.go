package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const weComTestKey = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"

// weComDoc is the group robot's message as WeCom documents it: msgtype
// with markdown{content} or text{content, mentioned_list,
// mentioned_mobile_list}.
type weComDoc struct {
	MsgType  string `json:"msgtype"`
	Markdown *struct {
		Content string `json:"content"`
	} `json:"markdown"`
	Text *struct {
		Content             string   `json:"content"`
		MentionedList       []string `json:"mentioned_list"`
		MentionedMobileList []string `json:"mentioned_mobile_list"`
	} `json:"text"`
}

// weComRobot fakes a WeCom group robot: it checks the key, decodes the
// message strictly, enforces the content limits and answers with answer.
func weComRobot(t *testing.T, answer chatAnswer) (*httptest.Server, *chatRecorder[weComDoc]) {
	rec := &chatRecorder[weComDoc]{}
	srv := chatServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != weComTestKey {
			fmt.Fprint(w, `{"errcode":93000,"errmsg":"invalid webhook url, hint: [1755605200056773468916791], from ip: 127.0.0.1"}`)
			return
		}
		var doc weComDoc
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			fmt.Fprint(w, `{"errcode":40058,"errmsg":"invalid json"}`)
			return
		}
		switch {
		case doc.MsgType == "markdown" && doc.Markdown != nil && doc.Text == nil:
			if len(doc.Markdown.Content) > 4096 || !utf8.ValidString(doc.Markdown.Content) {
				fmt.Fprint(w, `{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}`)
				return
			}
		case doc.MsgType == "text" && doc.Text != nil && doc.Markdown == nil:
			if len(doc.Text.Content) > 2048 {
				fmt.Fprint(w, `{"errcode":40058,"errmsg":"text.content exceed max length 2048"}`)
				return
			}
		default:
			fmt.Fprint(w, `{"errcode":40008,"errmsg":"invalid message type"}`)
			return
		}
		rec.add(doc)
		if answer.body == "" {
			answer.body = `{"errcode":0,"errmsg":"ok"}`
		}
		answer.write(w)
	})
	return srv, rec
}

func weComURL(srv *httptest.Server) string {
	return srv.URL + "/cgi-bin/webhook/send?key=" + weComTestKey
}

func TestWeComMarkdown(t *testing.T) {
	srv, rec := weComRobot(t, chatAnswer{})
	w, err := NewWeCom(weComURL(srv), WithWeComHTTPClient(srv.Client()), WithWeComMentions("zhangsan", "lisi"))
	require.NoError(t, err)

	require.NoError(t, w.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High)))
	got := rec.last(t)
	assert.Equal(t, "markdown", got.MsgType)
	c := got.Markdown.Content
	assert.True(t, strings.HasPrefix(c, `<font color="warning">**[FIRING:1] HighErrorRate**</font>`+"\n- [firing] HighErrorRate (high)"), c)
	assert.True(t, strings.HasSuffix(c, "\n<@zhangsan> <@lisi>"), c)

	require.NoError(t, w.Notify(context.Background(), chatNotification(alerting.StatusResolved, alerting.High)))
	c = rec.last(t).Markdown.Content
	assert.True(t, strings.HasPrefix(c, `<font color="info">**[RESOLVED] HighErrorRate**</font>`), c)
	assert.NotContains(t, c, "<@zhangsan>", "resolved notifications do not page")
}

func TestWeComText(t *testing.T) {
	srv, rec := weComRobot(t, chatAnswer{})
	w, err := NewWeCom(weComURL(srv), WithWeComText(), WithWeComHTTPClient(srv.Client()),
		WithWeComMentions("zhangsan", "@all"), WithWeComMentionMobiles("13800001111"),
		WithWeComTemplate("{{ .Status }}", "for {{ .Receiver }}"))
	require.NoError(t, err)

	require.NoError(t, w.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Low)))
	got := rec.last(t)
	assert.Equal(t, "text", got.MsgType)
	assert.Equal(t, "firing\nfor ops", got.Text.Content)
	assert.Equal(t, []string{"zhangsan", "@all"}, got.Text.MentionedList)
	assert.Equal(t, []string{"13800001111"}, got.Text.MentionedMobileList)
}

func TestWeComCutsLongContent(t *testing.T) {
	tests := []struct {
		name string
		opts []WeComOption
		max  int
	}{
		{"markdown", []WeComOption{WithWeComMentions("zhangsan")}, weComMarkdownMax},
		{"text", []WeComOption{WithWeComText()}, weComTextMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := weComRobot(t, chatAnswer{})
			opts := append(tt.opts, WithWeComHTTPClient(srv.Client()), WithWeComTemplate("", strings.Repeat("磁盘告警", 2000)))
			w, err := NewWeCom(weComURL(srv), opts...)
			require.NoError(t, err)
			require.NoError(t, w.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High)))
			got := rec.last(t)
			c := ""
			if got.Markdown != nil {
				c = got.Markdown.Content
				assert.True(t, strings.HasSuffix(c, "…\n<@zhangsan>"), "the mention survives the cut")
			} else {
				c = got.Text.Content
			}
			assert.LessOrEqual(t, len(c), tt.max)
			assert.True(t, utf8.ValidString(c))
		})
	}
}

func TestWeComErrors(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		answer    chatAnswer
		code      int
		permanent bool
	}{
		{"invalid webhook", "wrong-key", chatAnswer{}, 93000, true},
		{"freq limit", weComTestKey, chatAnswer{body: `{"errcode":45009,"errmsg":"api freq out of limit"}`}, 45009, false},
		{"busy", weComTestKey, chatAnswer{body: `{"errcode":-1,"errmsg":"system busy"}`}, -1, false},
		{"empty content", weComTestKey, chatAnswer{body: `{"errcode":44004,"errmsg":"empty content"}`}, 44004, true},
		{"server error", weComTestKey, chatAnswer{status: 500, body: "oops"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := weComRobot(t, tt.answer)
			w, err := NewWeCom(srv.URL+"/cgi-bin/webhook/send?key="+tt.key, WithWeComHTTPClient(srv.Client()))
			require.NoError(t, err)
			err = w.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "%v", err)
			if tt.code != 0 {
				var ce *ChatError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
			}
			assertNoSecrets(t, err, tt.key, srv.URL)
		})
	}
}

func TestWeComConfigErrors(t *testing.T) {
	const u = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + weComTestKey
	tests := []struct {
		name string
		url  string
		opts []WeComOption
		want string
	}{
		{"no key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", nil, "no key"},
		{"mobiles in markdown", u, []WeComOption{WithWeComMentionMobiles("13800001111")}, "needs text messages"},
		{"@all in markdown", u, []WeComOption{WithWeComMentions("@all")}, "needs text messages"},
		{"template", u, []WeComOption{WithWeComTemplate("{{", "")}, "title template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWeCom(tt.url, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoSecrets(t, err, weComTestKey)
		})
	}
}
