package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/o2kit/o2kit/alerting/notify"
)

// Any SMS vendor fits behind SMSProviderFunc; the text is the title and the
// first body lines, cut to the maximum length.
func ExampleNewSMS() {
	vendor := notify.SMSProviderFunc(func(_ context.Context, to []string, text string) error {
		fmt.Printf("to %v:\n%s\n", to, text)
		return nil
	})
	sms, err := notify.NewSMS(vendor, []string{"+15550100"}, notify.WithSMSLines(1), notify.WithSMSMaxLength(50))
	if err != nil {
		panic(err)
	}
	fmt.Println(sms.Notify(context.Background(), exampleNotification()))
	// Output:
	// to [+15550100]:
	// [FIRING:1] DiskFull
	// - [firing] DiskFull (high): d…
	// <nil>
}

// A gateway that wants its own body gets it from a template.
func ExampleNewHTTPGateway() {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Header.Get("Authorization"), r.Header.Get("Content-Type"))
		fmt.Println(string(body))
		_, _ = io.WriteString(w, `{"status":"queued"}`)
	}))
	defer gw.Close()

	provider, err := notify.NewHTTPGateway(gw.URL+"/v1/messages",
		notify.WithGatewayBearerToken("token"),
		notify.WithGatewayBody("application/json", `{"recipients": {{ json .To }}, "body": {{ json .Text }}}`),
		notify.WithGatewaySuccessField("status", "queued"))
	if err != nil {
		panic(err)
	}
	sms, _ := notify.NewSMS(provider, []string{"+15550100", "+15550101"}, notify.WithSMSLines(0))
	fmt.Println(sms.Notify(context.Background(), exampleNotification()))
	// Output:
	// Bearer token application/json
	// {"recipients": ["+15550100","+15550101"], "body": "[FIRING:1] DiskFull"}
	// <nil>
}
