package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit/alerting"
)

// DingTalk posts notifications to a DingTalk custom group robot as
// markdown messages, signed when the robot has a signing secret, with
// @-mentions by mobile number or user ID. It implements
// [alerting.Notifier]; it is safe for concurrent use.
//
// Robot documentation: https://open.dingtalk.com/document/orgapp/custom-robot-access
// (message types: https://open.dingtalk.com/document/development/robot-message-type).
type DingTalk struct {
	url     *url.URL
	secrets []string // the secret and the URL's token, kept out of errors
	cfg     dingTalkConfig
	tmpl    *Template
}

var _ alerting.Notifier = (*DingTalk)(nil)

type dingTalkConfig struct {
	chatCommon
	secret  string
	mobiles []string
	userIDs []string
	atAll   bool
	now     func() time.Time
}

// DingTalkOption configures a [DingTalk] notifier.
type DingTalkOption interface{ apply(*dingTalkConfig) }

type dingTalkOptionFunc func(*dingTalkConfig)

func (f dingTalkOptionFunc) apply(c *dingTalkConfig) { f(c) }

// WithDingTalkSecret sets the robot's signing secret (the "SEC…" string of
// its "加签" security setting). Each request then carries a timestamp and a
// signature. Default none, for robots secured by keyword or IP.
func WithDingTalkSecret(secret string) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.secret = secret })
}

// WithDingTalkAtMobiles mentions the group members with these mobile
// numbers in firing notifications. DingTalk only notifies a member whose
// "@mobile" also appears in the text, so it is appended there too.
func WithDingTalkAtMobiles(mobiles ...string) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.mobiles = append(c.mobiles, mobiles...) })
}

// WithDingTalkAtUserIDs mentions the group members with these DingTalk
// user IDs in firing notifications, appending "@id" to the text as well.
func WithDingTalkAtUserIDs(ids ...string) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.userIDs = append(c.userIDs, ids...) })
}

// WithDingTalkAtAll mentions everyone in the group in firing
// notifications. Default off.
func WithDingTalkAtAll() DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.atAll = true })
}

// WithDingTalkTemplate sets the title and body templates (see [Template]);
// empty strings keep [DefaultTitle] and [DefaultBody]. A template that
// does not parse makes [NewDingTalk] fail. The title is the preview shown
// in the chat list and the heading of the message.
func WithDingTalkTemplate(title, body string) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.title, c.body = title, body })
}

// WithDingTalkHTTPClient sets the HTTP client used for requests. Default
// (and nil) is [http.DefaultClient].
func WithDingTalkHTTPClient(hc *http.Client) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.hc = hc })
}

// WithDingTalkClock sets the clock the signature's timestamp is read from.
// Default (and nil) is [time.Now]; DingTalk rejects timestamps more than
// an hour away from its own clock.
func WithDingTalkClock(now func() time.Time) DingTalkOption {
	return dingTalkOptionFunc(func(c *dingTalkConfig) { c.now = now })
}

// NewDingTalk returns a notifier for the robot at webhookURL
// ("https://oapi.dingtalk.com/robot/send?access_token=…"). It fails if the
// URL is not an absolute http(s) URL, has no access_token, or a template
// does not parse; errors never quote the URL or the secret.
func NewDingTalk(webhookURL string, opts ...DingTalkOption) (*DingTalk, error) {
	u, secrets, err := chatURL("dingtalk", webhookURL)
	if err != nil {
		return nil, err
	}
	if u.Query().Get("access_token") == "" {
		return nil, errors.New("notify: dingtalk: webhook URL has no access_token")
	}
	d := &DingTalk{url: u}
	for _, o := range opts {
		if o != nil {
			o.apply(&d.cfg)
		}
	}
	if d.cfg.now == nil {
		d.cfg.now = time.Now
	}
	d.secrets = append(secrets, d.cfg.secret)
	if d.tmpl, err = d.cfg.template(); err != nil {
		return nil, err
	}
	return d, nil
}

// Notify sends n as one markdown message; see [ChatError] for how the
// robot's answer codes are classified.
func (d *DingTalk) Notify(ctx context.Context, n *alerting.Notification) error {
	title, body, err := d.tmpl.Render(n)
	if err != nil {
		return err
	}
	msg := d.message(title, body, chatFiring(n))
	data, err := postJSON(ctx, d.cfg.hc, d.endpoint(), msg, nil)
	return chatResult(dingTalkVendor, d.secrets, data, err)
}

// dingTalkMessage is the robot's markdown message.
type dingTalkMessage struct {
	MsgType  string           `json:"msgtype"`
	Markdown dingTalkMarkdown `json:"markdown"`
	At       *dingTalkAt      `json:"at,omitempty"`
}

type dingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type dingTalkAt struct {
	AtMobiles []string `json:"atMobiles,omitempty"`
	AtUserIDs []string `json:"atUserIds,omitempty"`
	IsAtAll   bool     `json:"isAtAll,omitempty"`
}

func (d *DingTalk) message(title, body string, mention bool) *dingTalkMessage {
	text := "#### " + title + "\n\n" + body
	m := &dingTalkMessage{MsgType: "markdown", Markdown: dingTalkMarkdown{Title: title}}
	c := &d.cfg
	if mention && (len(c.mobiles) > 0 || len(c.userIDs) > 0 || c.atAll) {
		m.At = &dingTalkAt{AtMobiles: c.mobiles, AtUserIDs: c.userIDs, IsAtAll: c.atAll}
		var tags []string
		for _, v := range append(append([]string(nil), c.mobiles...), c.userIDs...) {
			tags = append(tags, "@"+v)
		}
		if len(tags) > 0 {
			text += "\n\n" + strings.Join(tags, " ")
		}
	}
	m.Markdown.Text = text
	return m
}

// endpoint returns the webhook URL, with timestamp and sign appended when
// the robot has a secret.
func (d *DingTalk) endpoint() string {
	if d.cfg.secret == "" {
		return d.url.String()
	}
	ts := d.cfg.now().UnixMilli()
	u := *d.url
	u.RawQuery += "&timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + url.QueryEscape(dingTalkSign(ts, d.cfg.secret))
	return u.String()
}

// dingTalkSign signs a request as the robot's "加签" setting documents
// (https://open.dingtalk.com/document/orgapp/customize-robot-security-settings,
// in English https://help.dingtalk.io/open/dingstart/customize-robot-security-settings):
// the string timestamp+"\n"+secret, timestamp in milliseconds, is
// HMAC-SHA256'd with the secret as key and base64-encoded; the caller
// URL-encodes it into the query.
func dingTalkSign(tsMillis int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(tsMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// dingTalkVendor reads {"errcode":0,"errmsg":"ok"}. Retryable: -1 (system
// busy), 130101 and 410100 (more than 20 messages a minute; the robot is
// throttled for a while). Everything else, notably 310000 (bad signature,
// stale timestamp, missing keyword, IP not allowed) and 300001 (unknown
// token), is permanent.
var dingTalkVendor = chatVendor{
	name:   "dingtalk",
	decode: decodeErrcode,
	retryable: func(code int, _ string) bool {
		return code == -1 || code == 130101 || code == 410100
	},
}

// decodeErrcode reads the {"errcode":…,"errmsg":…} answer DingTalk and
// WeCom share.
func decodeErrcode(body []byte) (int, string, bool) {
	var a struct {
		Code *int   `json:"errcode"`
		Msg  string `json:"errmsg"`
	}
	if json.Unmarshal(body, &a) != nil || a.Code == nil {
		return 0, "", false
	}
	return *a.Code, a.Msg, true
}
