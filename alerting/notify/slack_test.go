package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const slackTestPath = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"

// slackDoc is the incoming webhook payload as Slack documents it: text,
// Block Kit blocks, or legacy attachments.
type slackDoc struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
	} `json:"blocks"`
	Attachments []struct {
		Color    string   `json:"color"`
		Fallback string   `json:"fallback"`
		Title    string   `json:"title"`
		Text     string   `json:"text"`
		MrkdwnIn []string `json:"mrkdwn_in"`
	} `json:"attachments"`
}

// slackHook fakes an incoming webhook: it checks the path, decodes the
// payload strictly, applies Block Kit's length limits and answers with
// answer (or 200 "ok").
func slackHook(t *testing.T, answer chatAnswer) (*httptest.Server, *chatRecorder[slackDoc]) {
	rec := &chatRecorder[slackDoc]{}
	srv := chatServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != slackTestPath {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "no_service")
			return
		}
		var doc slackDoc
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "invalid_payload")
			return
		}
		for _, b := range doc.Blocks {
			if (b.Type == "header" && len([]rune(b.Text.Text)) > 150) || len([]rune(b.Text.Text)) > 3000 {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, "invalid_blocks")
				return
			}
		}
		rec.add(doc)
		if answer.body == "" {
			answer.body = "ok"
		}
		answer.write(w)
	})
	return srv, rec
}

func TestSlackBlocks(t *testing.T) {
	srv, rec := slackHook(t, chatAnswer{})
	s, err := NewSlack(srv.URL+slackTestPath, WithSlackHTTPClient(srv.Client()))
	require.NoError(t, err)

	require.NoError(t, s.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.Critical)))
	got := rec.last(t)
	assert.Equal(t, "[FIRING:1] HighErrorRate", got.Text)
	assert.Empty(t, got.Attachments)
	require.Len(t, got.Blocks, 2)
	assert.Equal(t, "header", got.Blocks[0].Type)
	assert.Equal(t, "plain_text", got.Blocks[0].Text.Type)
	assert.Equal(t, "[FIRING:1] HighErrorRate", got.Blocks[0].Text.Text)
	assert.Equal(t, "section", got.Blocks[1].Type)
	assert.Equal(t, "mrkdwn", got.Blocks[1].Text.Type)
	assert.Contains(t, got.Blocks[1].Text.Text, "5xx above 5% &lt;b&gt; &amp; rising", "mrkdwn is escaped")
}

func TestSlackAttachments(t *testing.T) {
	tests := []struct {
		status string
		sev    alerting.Severity
		color  string
	}{
		{alerting.StatusFiring, alerting.Critical, "#E01E5A"},
		{alerting.StatusFiring, alerting.High, "#F2952F"},
		{alerting.StatusFiring, alerting.Medium, "#ECB22E"},
		{alerting.StatusFiring, alerting.Low, "#36C5F0"},
		{alerting.StatusResolved, alerting.Critical, "#2EB67D"},
	}
	srv, rec := slackHook(t, chatAnswer{})
	s, err := NewSlack(srv.URL+slackTestPath, WithSlackHTTPClient(srv.Client()), WithSlackAttachments(),
		WithSlackTemplate("{{ .Status | title }} <{{ .Receiver }}>", "body"))
	require.NoError(t, err)
	for _, tt := range tests {
		require.NoError(t, s.Notify(context.Background(), chatNotification(tt.status, tt.sev)))
		got := rec.last(t)
		assert.Empty(t, got.Blocks)
		require.Len(t, got.Attachments, 1)
		a := got.Attachments[0]
		assert.Equal(t, tt.color, a.Color, "%s %s", tt.status, tt.sev)
		assert.Equal(t, []string{"text"}, a.MrkdwnIn)
		assert.Equal(t, "body", a.Text)
		title := strings.ToUpper(tt.status[:1]) + tt.status[1:]
		assert.Equal(t, title+" &lt;ops&gt;", a.Title)
		assert.Equal(t, title+" &lt;ops&gt;", a.Fallback)
	}
}

func TestSlackLongText(t *testing.T) {
	srv, rec := slackHook(t, chatAnswer{})
	s, err := NewSlack(srv.URL+slackTestPath, WithSlackHTTPClient(srv.Client()),
		WithSlackTemplate(strings.Repeat("t", 200), strings.Repeat("<b>", 2000)))
	require.NoError(t, err)
	require.NoError(t, s.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High)))
	got := rec.last(t)
	assert.LessOrEqual(t, len(got.Blocks[0].Text.Text), 150)
	assert.LessOrEqual(t, len(got.Blocks[1].Text.Text), 3000)
}

func TestSlackErrors(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		answer     chatAnswer
		message    string
		permanent  bool
		retryAfter time.Duration
	}{
		{"revoked", "/services/T0/B0/" + strings.Repeat("Y", 24), chatAnswer{}, "no_service", true, 0},
		{"no text", slackTestPath, chatAnswer{status: 400, body: "no_text"}, "no_text", true, 0},
		{"archived", slackTestPath, chatAnswer{status: 410, body: "channel_is_archived"}, "channel_is_archived", true, 0},
		{"rate limited", slackTestPath, chatAnswer{status: 429, body: "rate_limited", header: http.Header{"Retry-After": {"30"}}}, "rate_limited", false, 30 * time.Second},
		{"rollup", slackTestPath, chatAnswer{status: 500, body: "rollup_error"}, "rollup_error", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := slackHook(t, tt.answer)
			s, err := NewSlack(srv.URL+tt.path, WithSlackHTTPClient(srv.Client()))
			require.NoError(t, err)
			err = s.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "%v", err)
			var ce *ChatError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.message, ce.Message)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.retryAfter, he.RetryAfter)
			assertNoSecrets(t, err, "XXXXXXXXXXXXXXXXXXXXXXXX", strings.Repeat("Y", 24), srv.URL)
		})
	}
}

func TestSlackTransportErrorHidesURL(t *testing.T) {
	srv, _ := slackHook(t, chatAnswer{})
	url := srv.URL + slackTestPath
	srv.Close()
	s, err := NewSlack(url, WithSlackHTTPClient(srv.Client()))
	require.NoError(t, err)
	err = s.Notify(context.Background(), chatNotification(alerting.StatusFiring, alerting.High))
	require.Error(t, err)
	assert.False(t, alerting.IsPermanent(err))
	assertNoSecrets(t, err, "XXXXXXXXXXXXXXXXXXXXXXXX", url)
}

func TestSlackConfigErrors(t *testing.T) {
	_, err := NewSlack("hooks.slack.com" + slackTestPath)
	require.Error(t, err)
	assertNoSecrets(t, err, "XXXXXXXXXXXXXXXXXXXXXXXX")
	_, err = NewSlack("https://hooks.slack.com"+slackTestPath, WithSlackTemplate("{{ .Status", ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "notify: title template")
}

func TestSlackMentions(t *testing.T) {
	tests := []struct {
		name        string
		attachments bool
		status      string
		text        string
		section     string
	}{
		{"blocks", false, alerting.StatusFiring, "t <@U024BE7LH> <!here> <!subteam^SAZ94GDB8>", "b\n<@U024BE7LH> <!here> <!subteam^SAZ94GDB8>"},
		{"attachments", true, alerting.StatusFiring, "t <@U024BE7LH> <!here> <!subteam^SAZ94GDB8>", "b"},
		{"resolved", false, alerting.StatusResolved, "t", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := slackHook(t, chatAnswer{})
			opts := []SlackOption{WithSlackHTTPClient(srv.Client()), WithSlackTemplate("t", "b"),
				WithSlackMentions("U024BE7LH", "here", "subteam^SAZ94GDB8")}
			if tt.attachments {
				opts = append(opts, WithSlackAttachments())
			}
			s, err := NewSlack(srv.URL+slackTestPath, opts...)
			require.NoError(t, err)
			require.NoError(t, s.Notify(context.Background(), chatNotification(tt.status, alerting.High)))
			got := rec.last(t)
			assert.Equal(t, tt.text, got.Text)
			if tt.attachments {
				assert.Equal(t, tt.section, got.Attachments[0].Text)
			} else {
				assert.Equal(t, tt.section, got.Blocks[1].Text.Text)
			}
		})
	}
}
