package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// gatewayRequest is what the fake SMS gateway received.
type gatewayRequest struct {
	header http.Header
	body   string
}

func gatewayServer(t *testing.T, status int, answer string) (*httptest.Server, chan gatewayRequest) {
	t.Helper()
	got := make(chan gatewayRequest, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- gatewayRequest{r.Header.Clone(), string(body)}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestHTTPGatewayEncodings(t *testing.T) {
	tests := []struct {
		name      string
		opts      []GatewayOption
		wantType  string
		wantBody  string
		wantAuth  string
		wantExtra string
	}{
		{"json", nil, "application/json", `{"text":"disk \"full\" & hot","to":["+15550100","+15550101"]}`, "", ""},
		{"json fields", []GatewayOption{WithGatewayFields("msisdn", "message")}, "application/json",
			`{"message":"disk \"full\" & hot","msisdn":["+15550100","+15550101"]}`, "", ""},
		{"form", []GatewayOption{WithGatewayForm(), WithGatewayFields("To", "Body")}, "application/x-www-form-urlencoded",
			"Body=disk+%22full%22+%26+hot&To=%2B15550100%2C%2B15550101", "", ""},
		{"template", []GatewayOption{WithGatewayBody("application/vnd.sms+json", `{"dest": {{ json (join .To ";") }}, "msg": {{ json .Text }}}`)},
			"application/vnd.sms+json", `{"dest": "+15550100;+15550101", "msg": "disk \"full\" & hot"}`, "", ""},
		{"bearer", []GatewayOption{WithGatewayBearerToken("gw-t0ken")}, "application/json", "", "Bearer gw-t0ken", ""},
		{"basic", []GatewayOption{WithGatewayBasicAuth("acct", "gw-pa55")}, "application/json", "", "Basic YWNjdDpndy1wYTU1", ""},
		{"header", []GatewayOption{WithGatewayHeader("X-Api-Key", "k-1")}, "application/json", "", "", "k-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := gatewayServer(t, http.StatusCreated, "")
			g, err := NewHTTPGateway(srv.URL+"/send", append(tt.opts, WithGatewayHTTPClient(srv.Client()))...)
			require.NoError(t, err)
			require.NoError(t, g.Send(context.Background(), []string{"+15550100", "+15550101"}, `disk "full" & hot`))
			req := <-got
			assert.Equal(t, tt.wantType, req.header.Get("Content-Type"))
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, req.body)
			}
			assert.Equal(t, tt.wantAuth, req.header.Get("Authorization"))
			assert.Equal(t, tt.wantExtra, req.header.Get("X-Api-Key"))
		})
	}
}

func TestHTTPGatewayAnswers(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		opts      []GatewayOption
		wantErr   string
		permanent bool
	}{
		{"2xx", http.StatusOK, "queued", nil, "", false},
		{"field ok", http.StatusOK, `{"result":{"code":0,"status":"sent"}}`, []GatewayOption{WithGatewaySuccessField("result.code", "0")}, "", false},
		{"string field ok", http.StatusOK, `{"status":"sent"}`, []GatewayOption{WithGatewaySuccessField("status", "sent")}, "", false},
		{"field says failure", http.StatusOK, `{"result":{"code":17}}`, []GatewayOption{WithGatewaySuccessField("result.code", "0")}, `result.code="17", want "0"`, false},
		{"field missing", http.StatusOK, `{"result":"x"}`, []GatewayOption{WithGatewaySuccessField("result.code", "0")}, "lacks field", false},
		{"not JSON", http.StatusOK, `ok`, []GatewayOption{WithGatewaySuccessField("status", "sent")}, "not JSON", false},
		{"rejected", http.StatusBadRequest, "bad number", nil, "answered 400", true},
		{"unauthorized", http.StatusUnauthorized, "", nil, "answered 401", true},
		{"overloaded", http.StatusServiceUnavailable, "", nil, "answered 503", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := gatewayServer(t, tt.status, tt.answer)
			g, err := NewHTTPGateway(srv.URL+"/send?apikey=gw-key-in-url", append(tt.opts, WithGatewayBasicAuth("acct", "gw-pa55"))...)
			require.NoError(t, err)
			err = g.Send(context.Background(), []string{"+15550100"}, "hi")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err))
			assertNoLeak(t, err, "gw-key-in-url", "gw-pa55", "YWNjdDpndy1wYTU1")
		})
	}
}

func TestSMSThroughHTTPGateway(t *testing.T) {
	srv, got := gatewayServer(t, http.StatusOK, "")
	g, err := NewHTTPGateway(srv.URL, WithGatewayForm())
	require.NoError(t, err)
	s, err := NewSMS(g, []string{"+15550100"}, WithSMSLines(0))
	require.NoError(t, err)
	require.NoError(t, s.Notify(context.Background(), fixtureA(alerting.StatusResolved)))
	assert.Equal(t, "text=%5BRESOLVED%5D+HighLatency&to=%2B15550100", (<-got).body)
}

func TestNewHTTPGatewayRejects(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []GatewayOption
		want string
	}{
		{"bad URL", "gw.example.com/send?key=gw-key-in-url", nil, "absolute http or https URL"},
		{"empty field", "https://gw.example.com", []GatewayOption{WithGatewayFields("", "text")}, "field names"},
		{"template without type", "https://gw.example.com", []GatewayOption{WithGatewayBody("", "{{ .Text }}")}, "content type"},
		{"bad template", "https://gw.example.com", []GatewayOption{WithGatewayBody("text/plain", "{{ .Text ")}, "body template"},
		{"empty success path", "https://gw.example.com", []GatewayOption{WithGatewaySuccessField("", "ok")}, "path is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHTTPGateway(tt.url, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoLeak(t, err, "gw-key-in-url")
		})
	}
}

func TestHTTPGatewayTemplateRunError(t *testing.T) {
	g, err := NewHTTPGateway("https://gw.example.com", WithGatewayBody("text/plain", `{{ .Nope }}`))
	require.NoError(t, err)
	err = g.Send(context.Background(), []string{"1"}, "hi")
	require.Error(t, err)
	assert.True(t, alerting.IsPermanent(err))
}
