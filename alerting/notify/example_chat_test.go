package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
)

// chatExampleNotification is one critical alert firing since 05:50 UTC.
func chatExampleNotification() *alerting.Notification {
	labels := map[string]string{"alertname": "HighErrorRate", "severity": "critical", "service": "shop"}
	return &alerting.Notification{
		Receiver:     "ops",
		Status:       alerting.StatusFiring,
		GroupLabels:  map[string]string{"alertname": "HighErrorRate"},
		CommonLabels: labels,
		Alerts: []alerting.Alert{{
			Labels:      labels,
			Annotations: map[string]string{"summary": "5xx above 5%"},
			State:       alerting.StateFiring,
			ActiveAt:    time.Date(2026, 11, 30, 5, 50, 0, 0, time.UTC),
		}},
	}
}

// chatExampleRobot stands in for a vendor's robot: it prints what it
// receives and answers with answer.
func chatExampleRobot(answer string, show func(r *http.Request, body []byte)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		show(r, body)
		fmt.Fprint(w, answer)
	}))
}

// A DingTalk robot secured with a signing secret, mentioning the on-call
// engineer by mobile number. The clock is pinned so that the signature
// is stable; Python's hmac module gives the same value.
func ExampleNewDingTalk() {
	robot := chatExampleRobot(`{"errcode":0,"errmsg":"ok"}`, func(r *http.Request, body []byte) {
		q := r.URL.Query()
		fmt.Printf("timestamp=%s sign=%s\n%s\n", q.Get("timestamp"), q.Get("sign"), body)
	})
	defer robot.Close()

	d, err := notify.NewDingTalk(robot.URL+"/robot/send?access_token=TOKEN",
		notify.WithDingTalkSecret("SECexample"),
		notify.WithDingTalkAtMobiles("13800001111"),
		notify.WithDingTalkTemplate("", "{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}"),
		notify.WithDingTalkClock(func() time.Time { return time.UnixMilli(1700000000000) }),
		notify.WithDingTalkHTTPClient(robot.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Notify(context.Background(), chatExampleNotification()))
	// Output:
	// timestamp=1700000000000 sign=uroalHrWHORz59talE1o26b8HuX2kOp8WlAN91F9Pj0=
	// {"msgtype":"markdown","markdown":{"title":"[FIRING:1] HighErrorRate","text":"#### [FIRING:1] HighErrorRate\n\n5xx above 5%\n\n@13800001111"},"at":{"atMobiles":["13800001111"]}}
	// <nil>
}

// A Feishu bot answering with its signature check failing: the error is
// permanent, and neither the hook ID nor the secret appears in it.
func ExampleNewFeishu() {
	robot := chatExampleRobot(`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}`,
		func(r *http.Request, body []byte) { fmt.Printf("%s\n", body) })
	defer robot.Close()

	f, err := notify.NewFeishu(robot.URL+"/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
		notify.WithFeishuSecret("wrong-secret"),
		notify.WithFeishuMentions("all"),
		notify.WithFeishuTemplate("", "{{ range .Alerts }}**{{ .Labels.service }}**: {{ .Annotations.summary }}{{ end }}"),
		notify.WithFeishuClock(func() time.Time { return time.Unix(1599360473, 0) }),
		notify.WithFeishuHTTPClient(robot.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = f.Notify(context.Background(), chatExampleNotification())
	fmt.Println(alerting.IsPermanent(err), err)
	// Output:
	// {"timestamp":"1599360473","sign":"IvjmnfTZNvboGS9TmYHxOh8w46ggxA6HSYu4Ho5S+sw=","msg_type":"interactive","card":{"config":{"wide_screen_mode":true},"header":{"title":{"tag":"plain_text","content":"[FIRING:1] HighErrorRate"},"template":"red"},"elements":[{"tag":"markdown","content":"**shop**: 5xx above 5%\n\u003cat id=all\u003e\u003c/at\u003e"}]}}
	// true notify: feishu answered 19021: sign match fail or timestamp is not within one hour from current time
}

// A WeCom robot with the default templates, mentioning a member by user
// ID inside the markdown content.
func ExampleNewWeCom() {
	robot := chatExampleRobot(`{"errcode":0,"errmsg":"ok"}`, func(r *http.Request, body []byte) { fmt.Printf("%s\n", body) })
	defer robot.Close()

	w, err := notify.NewWeCom(robot.URL+"/cgi-bin/webhook/send?key=KEY",
		notify.WithWeComMentions("zhangsan"),
		notify.WithWeComHTTPClient(robot.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Notify(context.Background(), chatExampleNotification()))
	// Output:
	// {"msgtype":"markdown","markdown":{"content":"\u003cfont color=\"warning\"\u003e**[FIRING:1] HighErrorRate**\u003c/font\u003e\n- [firing] HighErrorRate (critical): 5xx above 5%\n  labels: alertname=HighErrorRate, service=shop, severity=critical\n  since: 2026-11-30 05:50:00 UTC\n\u003c@zhangsan\u003e"}}
	// <nil>
}

// A Slack webhook that has been rate limited: the error is retryable and
// carries Slack's Retry-After.
func ExampleNewSlack() {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "rate_limited")
	}))
	defer hook.Close()

	s, err := notify.NewSlack(hook.URL+"/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
		notify.WithSlackHTTPClient(hook.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = s.Notify(context.Background(), chatExampleNotification())
	var he *notify.HTTPError
	if errors.As(err, &he) {
		fmt.Println(alerting.IsPermanent(err), he.Status, he.RetryAfter)
	}
	fmt.Println(err)
	// Output:
	// false 429 30s
	// notify: slack answered: rate_limited
}
