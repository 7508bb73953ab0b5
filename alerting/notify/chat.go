package notify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/o2kit/o2kit/alerting"
)

// ChatError is a failure a chat robot reported in its answer: DingTalk's
// and WeCom's errcode, Feishu's code, Slack's error text. The robots answer
// most failures with HTTP 200 and a code in the body. Rate limits and
// "system busy" codes are returned as they are, so the engine retries them;
// the others (a bad token, signature or keyword, an invalid message) come
// wrapped in an [alerting.PermanentError].
type ChatError struct {
	Vendor  string // "slack", "dingtalk", "feishu" or "wecom"
	Code    int    // the vendor's code; 0 for Slack, which answers with text
	Message string // the vendor's message, at most 256 bytes, tokens redacted
	// Err is the [*HTTPError] when the robot also answered with a non-2xx
	// status (its RetryAfter included), else nil.
	Err error
}

// Error reads "notify: <vendor> answered <code>: <message>".
func (e *ChatError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("notify: %s answered: %s", e.Vendor, e.Message)
	}
	return fmt.Sprintf("notify: %s answered %d: %s", e.Vendor, e.Code, e.Message)
}

// Unwrap returns the HTTP error, if any.
func (e *ChatError) Unwrap() error { return e.Err }

// chatVendor describes how one robot answers.
type chatVendor struct {
	name string
	// decode reads the code and message from an answer body; ok is false
	// when the body is not the vendor's answer.
	decode func(body []byte) (code int, msg string, ok bool)
	// retryable reports whether a non-zero code is worth another attempt.
	retryable func(code int, msg string) bool
}

// chatResult turns what post returned into the notifier's result. A code
// in the body decides over the HTTP status when both are there; a 2xx
// answer the vendor would never send is retryable, since the message may
// not have arrived.
func chatResult(v chatVendor, secrets []string, body []byte, err error) error {
	code, msg, ok := v.decode(body)
	switch {
	case !ok && err != nil:
		return err
	case !ok:
		return &ChatError{Vendor: v.name, Message: "unreadable answer"}
	case code == 0 && err == nil:
		return nil
	case code == 0:
		return err
	}
	ce := &ChatError{Vendor: v.name, Code: code, Message: chatRedact(chatCut(msg, 256), secrets)}
	var he *HTTPError
	if errors.As(err, &he) {
		ce.Err = he
	}
	if v.retryable(code, msg) || (err != nil && !alerting.IsPermanent(err)) {
		return ce
	}
	return alerting.Permanent(ce)
}

// chatCut returns s cut to at most max bytes on a rune boundary, ending
// in "…" when it was cut.
func chatCut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	n := max - len(ellipsis)
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + ellipsis
}

// chatRedact replaces every secret in s with "[redacted]".
func chatRedact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// chatURL checks a robot's webhook URL and returns it parsed with the
// parts that may be tokens: every query value and every path segment of
// 16 bytes or more (Slack's, Feishu's hook IDs), so that they can be kept
// out of errors. Errors never quote the URL.
func chatURL(vendor, raw string) (*url.URL, []string, error) {
	if raw == "" {
		return nil, nil, fmt.Errorf("notify: %s: webhook URL is empty", vendor)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, nil, fmt.Errorf("notify: %s: webhook URL must be an absolute http or https URL", vendor)
	}
	var secrets []string
	for _, vs := range u.Query() {
		secrets = append(secrets, vs...)
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if len(seg) >= 16 {
			secrets = append(secrets, seg)
		}
	}
	return u, secrets, nil
}

// chatCommon is the configuration every chat notifier shares.
type chatCommon struct {
	hc          *http.Client
	title, body string
}

// template parses the configured templates; the error names the
// template at fault.
func (c *chatCommon) template() (*Template, error) { return NewTemplate(c.title, c.body) }

// chatSeverity returns the highest severity among the notification's
// firing alerts, or its common severity label when none fires.
func chatSeverity(n *alerting.Notification) alerting.Severity {
	rank := map[alerting.Severity]int{alerting.Low: 1, alerting.Medium: 2, alerting.High: 3, alerting.Critical: 4}
	best := alerting.Severity(n.CommonLabels[alerting.LabelSeverity])
	for i := range n.Alerts {
		a := &n.Alerts[i]
		if a.State == alerting.StateFiring && rank[a.Severity()] > rank[best] {
			best = a.Severity()
		}
	}
	return best
}

// chatFiring reports whether n should page: it is firing, or a test.
func chatFiring(n *alerting.Notification) bool {
	return n.Status != alerting.StatusResolved || n.Test
}
