package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// v2Alert mirrors models.PostableAlert of Alertmanager's OpenAPI spec.
type v2Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
}

// fakeAM is an Alertmanager v2 API that decodes strictly, checks what
// Alertmanager checks, and answers status.
type fakeAM struct {
	status int
	got    chan []v2Alert
	auth   chan string
}

func newFakeAM(t *testing.T, status int) (*fakeAM, *httptest.Server) {
	t.Helper()
	am := &fakeAM{status: status, got: make(chan []v2Alert, 1), auth: make(chan string, 1)}
	srv := httptest.NewServer(am)
	t.Cleanup(srv.Close)
	return am, srv
}

func (am *fakeAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/prefix/api/v2/alerts" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want JSON", http.StatusUnsupportedMediaType)
		return
	}
	var alerts []v2Alert
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&alerts); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, a := range alerts {
		if len(a.Labels) == 0 || (!a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt)) {
			http.Error(w, "invalid alert", http.StatusBadRequest)
			return
		}
	}
	am.auth <- r.Header.Get("Authorization")
	am.got <- alerts
	w.WriteHeader(am.status)
}

func TestAlertmanagerPayload(t *testing.T) {
	now := fixtureTime.Add(30 * time.Second)
	tests := []struct {
		name    string
		status  string
		opts    []AlertmanagerOption
		wantEnd time.Time
	}{
		{"firing valid for 4 resend delays", alerting.StatusFiring, nil, now.Add(4 * time.Minute)},
		{"custom resend delay", alerting.StatusFiring, []AlertmanagerOption{WithResendDelay(2 * time.Minute)}, now.Add(8 * time.Minute)},
		{"resolved ends when resolved", alerting.StatusResolved, nil, fixtureTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeAM(t, http.StatusOK)
			opts := append([]AlertmanagerOption{
				WithAlertmanagerClock(func() time.Time { return now }),
				WithGeneratorURL(func(a *alerting.Alert) string { return "https://o2.example.com/rules/" + a.RuleID }),
			}, tt.opts...)
			am, err := NewAlertmanager([]string{srv.URL + "/prefix/"}, opts...)
			require.NoError(t, err)
			require.NoError(t, am.Notify(context.Background(), fixtureA(tt.status)))
			got := <-fake.got
			require.Len(t, got, 2)
			for i, a := range got {
				inst := fmt.Sprintf("api-%d", i+1)
				assert.Equal(t, map[string]string{"alertname": "HighLatency", "severity": "critical", "instance": inst}, a.Labels)
				assert.Equal(t, "p99 above 2s on "+inst, a.Annotations["summary"])
				assert.True(t, a.StartsAt.Equal(fixtureTime.Add(-5*time.Minute)), "startsAt is when it fired")
				assert.True(t, a.EndsAt.Equal(tt.wantEnd), "endsAt %s, want %s", a.EndsAt, tt.wantEnd)
				assert.Equal(t, "https://o2.example.com/rules/latency", a.GeneratorURL)
			}
		})
	}
}

func TestAlertmanagerResolvedWithoutTime(t *testing.T) {
	fake, srv := newFakeAM(t, http.StatusOK)
	now := fixtureTime.Add(time.Hour)
	am, err := NewAlertmanager([]string{srv.URL + "/prefix"}, WithAlertmanagerClock(func() time.Time { return now }))
	require.NoError(t, err)
	n := fixtureA(alerting.StatusResolved)
	n.Alerts[0].ResolvedAt = time.Time{}
	require.NoError(t, am.Notify(context.Background(), n))
	got := <-fake.got
	assert.True(t, got[0].EndsAt.Equal(now), "a resolved alert always ends")
	assert.True(t, got[1].EndsAt.Equal(fixtureTime))
}

func TestAlertmanagerAuth(t *testing.T) {
	tests := []struct {
		name string
		opt  AlertmanagerOption
		want string
	}{
		{"none", WithResendDelay(time.Minute), ""},
		{"basic", WithAlertmanagerBasicAuth("am", "am-pa55"), "Basic YW06YW0tcGE1NQ=="},
		{"bearer", WithAlertmanagerBearerToken("am-t0ken"), "Bearer am-t0ken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeAM(t, http.StatusOK)
			am, err := NewAlertmanager([]string{srv.URL + "/prefix"}, tt.opt, WithAlertmanagerHTTPClient(srv.Client()))
			require.NoError(t, err)
			require.NoError(t, am.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
			assert.Equal(t, tt.want, <-fake.auth)
		})
	}
}

func TestAlertmanagerCluster(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		wantErr   bool
		permanent bool
	}{
		{"all accept", []int{200, 200, 200}, false, false},
		{"one accepts", []int{500, 200, 400}, false, false},
		{"all fail, one retryable", []int{500, 400}, true, false},
		{"all reject", []int{400, 422}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var urls []string
			var fakes []*fakeAM
			for _, st := range tt.statuses {
				fake, srv := newFakeAM(t, st)
				fakes = append(fakes, fake)
				urls = append(urls, srv.URL+"/prefix")
			}
			am, err := NewAlertmanager(urls, WithAlertmanagerBearerToken("am-t0ken"))
			require.NoError(t, err)
			err = am.Notify(context.Background(), fixtureA(alerting.StatusFiring))
			for i, f := range fakes {
				assert.Len(t, <-f.got, 2, "alertmanager %d got the alerts", i)
			}
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err))
			assertNoLeak(t, err, "am-t0ken", "127.0.0.1")
		})
	}
}

func TestNewAlertmanagerRejects(t *testing.T) {
	tests := []struct {
		name string
		urls []string
		opts []AlertmanagerOption
		want string
	}{
		{"no URL", nil, nil, "at least one URL"},
		{"relative URL", []string{"http://am:9093", "am-1:9093"}, nil, "alertmanager 1 URL"},
		{"negative resend delay", []string{"http://am:9093"}, []AlertmanagerOption{WithResendDelay(-time.Second)}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewAlertmanager(tt.urls, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
