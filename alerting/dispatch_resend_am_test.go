package alerting_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
	"github.com/o2kit/o2kit/internal/o2test"
)

// resendAM is an Alertmanager v2 API that records when each post came
// and the endsAt of its first alert.
type resendAM struct {
	mu   sync.Mutex
	at   []time.Time
	ends []time.Time
}

func (a *resendAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ps []struct {
		EndsAt time.Time `json:"endsAt"`
	}
	if r.URL.Path != "/api/v2/alerts" || json.Unmarshal(b, &ps) != nil || len(ps) == 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, time.Now())
	a.ends = append(a.ends, ps[0].EndsAt)
}

// posts returns the posts' times and endsAt.
func (a *resendAM) posts() (at, ends []time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Time(nil), a.at...), append([]time.Time(nil), a.ends...)
}

// assertNeverExpired checks that every post's endsAt is after the next
// post (or after now for the last): Alertmanager never saw the alert end.
func assertNeverExpired(t *testing.T, at, ends []time.Time) {
	t.Helper()
	require.NotEmpty(t, at)
	for i := range ends {
		next := time.Now()
		if i+1 < len(at) {
			next = at[i+1]
		}
		require.True(t, ends[i].After(next), "post %d ends at %v, before the next news at %v", i, ends[i], next)
	}
}

// Forwarding through the engine, with the default route timings (repeat
// every 4 hours): Alertmanager keeps seeing the alert firing for as long
// as it fires, acknowledged or not, while the chat receiver of the same
// route hears it once.
func TestDispatchResendToAlertmanager(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		fake := &resendAM{}
		am, err := notify.NewAlertmanager([]string{"http://am.test"}, notify.WithAlertmanagerHTTPClient(o2test.InMemory(fake)))
		require.NoError(t, err)
		var mu sync.Mutex
		var chat []alerting.Notification
		chatN := alerting.NotifierFunc(func(_ context.Context, n *alerting.Notification) error {
			mu.Lock()
			defer mu.Unlock()
			chat = append(chat, *n)
			return nil
		})
		eng, err := alerting.NewEngine(env.Client,
			alerting.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }), // a lagging engine clock
			alerting.WithGroups(alerting.Group{Name: "g", Rules: []alerting.Rule{{Name: "Up", Expr: "vector(1)"}}}),
			alerting.WithReceivers(alerting.Receiver{Name: "ops", Notifiers: []alerting.Notifier{chatN, am}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()

		time.Sleep(time.Hour)
		synctest.Wait()
		at, ends := fake.posts()
		assertNeverExpired(t, at, ends)
		assert.GreaterOrEqual(t, len(at), 59, "resent every minute")
		firing := eng.Alerts(alerting.AlertFilter{})
		require.Len(t, firing, 1)
		require.NoError(t, eng.Ack(t.Context(), firing[0].ID, alerting.Ack{By: "ann"}))

		time.Sleep(5 * time.Hour) // past the 4-hour repeat interval
		synctest.Wait()
		at2, ends2 := fake.posts()
		assertNeverExpired(t, at2, ends2)
		assert.GreaterOrEqual(t, len(at2)-len(at), 5*59, "acked: still resent to Alertmanager")
		mu.Lock()
		assert.Len(t, chat, 1, "acked: no repeat to the chat")
		mu.Unlock()

		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
	})
}
