package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit/alerting"
)

// Feishu posts notifications to a Feishu (飞书) or Lark custom bot, as
// interactive cards by default or as text messages, signed when the bot
// has a signing secret. It implements [alerting.Notifier]; it is safe for
// concurrent use.
//
// Bot documentation: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
// (Lark's bots work the same way).
type Feishu struct {
	url     string
	secrets []string // the secret and the URL's hook ID, kept out of errors
	cfg     feishuConfig
	tmpl    *Template
}

var _ alerting.Notifier = (*Feishu)(nil)

type feishuConfig struct {
	chatCommon
	secret   string
	text     bool
	mentions []string
	now      func() time.Time
}

// FeishuOption configures a [Feishu] notifier.
type FeishuOption interface{ apply(*feishuConfig) }

type feishuOptionFunc func(*feishuConfig)

func (f feishuOptionFunc) apply(c *feishuConfig) { f(c) }

// feishuContentMax bounds the rendered body: the bot refuses requests
// over 20 KB, and the card or text around the body needs some room.
const feishuContentMax = 18 << 10

// WithFeishuSecret sets the bot's signing secret (its "签名校验" security
// setting). Each request body then carries a timestamp and a signature.
// Default none, for bots secured by keyword or IP.
func WithFeishuSecret(secret string) FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.secret = secret })
}

// WithFeishuText sends text messages instead of interactive cards.
func WithFeishuText() FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.text = true })
}

// WithFeishuMentions mentions these users (open_id, union_id or user_id)
// in firing notifications; "all" mentions everyone, which the group may
// reserve for its owner and admins.
func WithFeishuMentions(ids ...string) FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.mentions = append(c.mentions, ids...) })
}

// WithFeishuTemplate sets the title and body templates (see [Template]);
// empty strings keep [DefaultTitle] and [DefaultBody]. A template that
// does not parse makes [NewFeishu] fail. The card shows the title in its
// header and the body as markdown.
func WithFeishuTemplate(title, body string) FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.title, c.body = title, body })
}

// WithFeishuHTTPClient sets the HTTP client used for requests. Default
// (and nil) is [http.DefaultClient].
func WithFeishuHTTPClient(hc *http.Client) FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.hc = hc })
}

// WithFeishuClock sets the clock the signature's timestamp is read from.
// Default (and nil) is [time.Now]; the bot rejects timestamps more than an
// hour away from its own clock.
func WithFeishuClock(now func() time.Time) FeishuOption {
	return feishuOptionFunc(func(c *feishuConfig) { c.now = now })
}

// NewFeishu returns a notifier for the bot at webhookURL
// ("https://open.feishu.cn/open-apis/bot/v2/hook/…" or Lark's
// "https://open.larksuite.com/open-apis/bot/v2/hook/…"). It fails if the
// URL is not an absolute http(s) URL or a template does not parse; errors
// never quote the URL or the secret.
func NewFeishu(webhookURL string, opts ...FeishuOption) (*Feishu, error) {
	u, secrets, err := chatURL("feishu", webhookURL)
	if err != nil {
		return nil, err
	}
	f := &Feishu{url: u.String()}
	for _, o := range opts {
		if o != nil {
			o.apply(&f.cfg)
		}
	}
	if f.cfg.now == nil {
		f.cfg.now = time.Now
	}
	f.secrets = append(secrets, f.cfg.secret)
	if f.tmpl, err = f.cfg.template(); err != nil {
		return nil, err
	}
	return f, nil
}

// Notify sends n as one card or text message; see [ChatError] for how the
// bot's answer codes are classified.
func (f *Feishu) Notify(ctx context.Context, n *alerting.Notification) error {
	title, body, err := f.tmpl.Render(n)
	if err != nil {
		return err
	}
	msg := &feishuMessage{}
	if f.cfg.secret != "" {
		ts := f.cfg.now().Unix()
		msg.Timestamp, msg.Sign = strconv.FormatInt(ts, 10), feishuSign(ts, f.cfg.secret)
	}
	body = chatCut(body, feishuContentMax)
	mention := chatFiring(n) && len(f.cfg.mentions) > 0
	if f.cfg.text {
		msg.MsgType = "text"
		msg.Content = &feishuText{Text: title + "\n" + body + f.textMentions(mention)}
	} else {
		msg.MsgType = "interactive"
		msg.Card = feishuNewCard(title, body+f.cardMentions(mention), feishuColor(n))
	}
	data, err := postJSON(ctx, f.cfg.hc, f.url, msg, nil)
	return chatResult(feishuVendor, f.secrets, data, err)
}

// feishuSign signs a request as the bot's "签名校验" setting documents
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
// timestamp+"\n"+secret, timestamp in seconds, is the HMAC-SHA256 KEY,
// the message is empty, and the MAC is base64-encoded. (Unlike DingTalk,
// whose secret is the key and whose string is the message.)
func feishuSign(ts int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(ts, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// textMentions renders mentions for text messages: <at user_id="id"></at>.
func (f *Feishu) textMentions(on bool) string {
	if !on {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, id := range f.cfg.mentions {
		name := ""
		if id == "all" {
			name = "所有人"
		}
		b.WriteString(`<at user_id="` + id + `">` + name + `</at> `)
	}
	return strings.TrimRight(b.String(), " ")
}

// cardMentions renders mentions for card markdown: <at id=id></at>.
func (f *Feishu) cardMentions(on bool) string {
	if !on {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, id := range f.cfg.mentions {
		b.WriteString("<at id=" + id + "></at> ")
	}
	return strings.TrimRight(b.String(), " ")
}

// feishuVendor reads {"code":0,"msg":"success"}, or the StatusCode and
// StatusMessage that older answers carry instead. Retryable: 11232 (the
// bot's frequency limit, 100 a minute and 5 a second) and 9499 when its
// message speaks of a limit ("too many request"); 9499 otherwise means
// "Bad Request". Everything else, notably 19021 (signature or timestamp),
// 19022 (IP not allowed) and 19024 (keyword missing), is permanent.
var feishuVendor = chatVendor{
	name:   "feishu",
	decode: decodeFeishu,
	retryable: func(code int, msg string) bool {
		if code == 9499 {
			m := strings.ToLower(msg)
			return strings.Contains(m, "too many") || strings.Contains(m, "limit")
		}
		return code == 11232
	},
}

func decodeFeishu(body []byte) (int, string, bool) {
	var a struct {
		Code          *int   `json:"code"`
		Msg           string `json:"msg"`
		StatusCode    *int   `json:"StatusCode"`
		StatusMessage string `json:"StatusMessage"`
	}
	switch {
	case json.Unmarshal(body, &a) != nil:
		return 0, "", false
	case a.Code != nil:
		return *a.Code, a.Msg, true
	case a.StatusCode != nil:
		return *a.StatusCode, a.StatusMessage, true
	}
	return 0, "", false
}
