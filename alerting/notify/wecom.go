package notify

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/o2kit/o2kit/alerting"
)

// WeCom posts notifications to a WeCom (企业微信) group robot, as markdown
// messages by default or as text messages. It implements
// [alerting.Notifier]; it is safe for concurrent use.
//
// Robot documentation: https://developer.work.weixin.qq.com/document/path/91770.
type WeCom struct {
	url     string
	secrets []string // the URL's key, kept out of errors
	cfg     weComConfig
	tmpl    *Template
}

var _ alerting.Notifier = (*WeCom)(nil)

type weComConfig struct {
	chatCommon
	text    bool
	userIDs []string
	mobiles []string
}

// WeComOption configures a [WeCom] notifier.
type WeComOption interface{ apply(*weComConfig) }

type weComOptionFunc func(*weComConfig)

func (f weComOptionFunc) apply(c *weComConfig) { f(c) }

// Content limits of the robot's messages, in bytes of UTF-8. Longer
// content is cut on a rune boundary.
const (
	weComMarkdownMax = 4096
	weComTextMax     = 2048
)

// WithWeComText sends text messages instead of markdown. Text is needed
// to mention members by mobile number or to mention everyone ("@all"),
// which markdown messages cannot do; its content is limited to 2048 bytes
// instead of 4096. Default markdown.
func WithWeComText() WeComOption {
	return weComOptionFunc(func(c *weComConfig) { c.text = true })
}

// WithWeComMentions mentions the group members with these WeCom user IDs
// in firing notifications; "@all" mentions everyone (text messages only).
// Markdown messages carry the mentions as "<@userid>" in their content
// (the robot's documented extension), text messages in their
// mentioned_list.
func WithWeComMentions(userIDs ...string) WeComOption {
	return weComOptionFunc(func(c *weComConfig) { c.userIDs = append(c.userIDs, userIDs...) })
}

// WithWeComMentionMobiles mentions the group members with these mobile
// numbers in firing notifications. Only text messages can do that:
// [NewWeCom] fails without [WithWeComText].
func WithWeComMentionMobiles(mobiles ...string) WeComOption {
	return weComOptionFunc(func(c *weComConfig) { c.mobiles = append(c.mobiles, mobiles...) })
}

// WithWeComTemplate sets the title and body templates (see [Template]);
// empty strings keep [DefaultTitle] and [DefaultBody]. A template that
// does not parse makes [NewWeCom] fail.
func WithWeComTemplate(title, body string) WeComOption {
	return weComOptionFunc(func(c *weComConfig) { c.title, c.body = title, body })
}

// WithWeComHTTPClient sets the HTTP client used for requests. Default
// (and nil) is [http.DefaultClient].
func WithWeComHTTPClient(hc *http.Client) WeComOption {
	return weComOptionFunc(func(c *weComConfig) { c.hc = hc })
}

// NewWeCom returns a notifier for the robot at webhookURL
// ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"). It fails if
// the URL is not an absolute http(s) URL or has no key, if mobiles or
// "@all" are to be mentioned in markdown, or if a template does not parse;
// errors never quote the URL.
func NewWeCom(webhookURL string, opts ...WeComOption) (*WeCom, error) {
	u, secrets, err := chatURL("wecom", webhookURL)
	if err != nil {
		return nil, err
	}
	if u.Query().Get("key") == "" {
		return nil, errors.New("notify: wecom: webhook URL has no key")
	}
	w := &WeCom{url: u.String(), secrets: secrets}
	for _, o := range opts {
		if o != nil {
			o.apply(&w.cfg)
		}
	}
	if !w.cfg.text && (len(w.cfg.mobiles) > 0 || slices.Contains(w.cfg.userIDs, "@all")) {
		return nil, errors.New("notify: wecom: mentioning mobiles or @all needs text messages (WithWeComText)")
	}
	if w.tmpl, err = w.cfg.template(); err != nil {
		return nil, err
	}
	return w, nil
}

// Notify sends n as one message; see [ChatError] for how the robot's
// answer codes are classified.
func (w *WeCom) Notify(ctx context.Context, n *alerting.Notification) error {
	title, body, err := w.tmpl.Render(n)
	if err != nil {
		return err
	}
	var msg any
	if w.cfg.text {
		msg = w.textMessage(title, body, chatFiring(n))
	} else {
		msg = w.markdownMessage(n, title, body, chatFiring(n))
	}
	data, err := postJSON(ctx, w.cfg.hc, w.url, msg, nil)
	return chatResult(weComVendor, w.secrets, data, err)
}

type weComMarkdown struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
}

type weComText struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content             string   `json:"content"`
		MentionedList       []string `json:"mentioned_list,omitempty"`
		MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
	} `json:"text"`
}

// markdownMessage colours the title with the robot's font colours:
// "warning" (orange-red) while firing, "info" (green) once resolved. The
// mentions come last so that cutting the content keeps them.
func (w *WeCom) markdownMessage(n *alerting.Notification, title, body string, mention bool) *weComMarkdown {
	color := "warning"
	if n.Status == alerting.StatusResolved {
		color = "info"
	}
	head := `<font color="` + color + `">**` + title + "**</font>\n"
	var tail string
	if mention && len(w.cfg.userIDs) > 0 {
		tail = "\n<@" + strings.Join(w.cfg.userIDs, "> <@") + ">"
	}
	m := &weComMarkdown{MsgType: "markdown"}
	m.Markdown.Content = chatCut(head+body, weComMarkdownMax-len(tail)) + tail
	return m
}

func (w *WeCom) textMessage(title, body string, mention bool) *weComText {
	m := &weComText{MsgType: "text"}
	m.Text.Content = chatCut(title+"\n"+body, weComTextMax)
	if mention {
		m.Text.MentionedList = w.cfg.userIDs
		m.Text.MentionedMobileList = w.cfg.mobiles
	}
	return m
}

// weComVendor reads {"errcode":0,"errmsg":"ok"}. Retryable: -1 (system
// busy) and 45009 (API frequency limit: a robot may send 20 messages a
// minute). Everything else, notably 93000 (invalid webhook URL), is
// permanent. Codes: https://developer.work.weixin.qq.com/document/path/90313.
var weComVendor = chatVendor{
	name:   "wecom",
	decode: decodeErrcode,
	retryable: func(code int, _ string) bool {
		return code == -1 || code == 45009
	},
}
