package alerting_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
	"github.com/o2kit/o2kit/internal/o2test"
)

// A restart with a state dir: Alertmanager must hear of the firing alert
// again before the endsAt of the last post (4 resend intervals).
func TestResendAfterRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		dir := t.TempDir()
		fake := &resendAM{}
		start := func() (*alerting.Engine, func()) {
			am, err := notify.NewAlertmanager([]string{"http://am.test"}, notify.WithAlertmanagerHTTPClient(o2test.InMemory(fake)))
			require.NoError(t, err)
			eng, err := alerting.NewEngine(env.Client, alerting.WithStateDir(dir),
				alerting.WithGroups(alerting.Group{Name: "g", Rules: []alerting.Rule{{Name: "Up", Expr: "vector(1)"}}}),
				alerting.WithReceivers(alerting.Receiver{Name: "ops", Notifiers: []alerting.Notifier{am}}))
			require.NoError(t, err)
			ctx, stop := context.WithCancel(t.Context())
			done := make(chan error)
			go func() { done <- eng.Run(ctx) }()
			return eng, func() { stop(); require.NoError(t, <-done); require.NoError(t, eng.Shutdown(t.Context())) }
		}
		_, stop1 := start()
		time.Sleep(10*time.Minute + 30*time.Second)
		synctest.Wait()
		stop1()
		at, ends := fake.posts()
		last, lastEnd := at[len(at)-1], ends[len(ends)-1]

		time.Sleep(3 * time.Minute) // down 3 minutes, endsAt still ahead
		restart := time.Now()
		_, stop2 := start()
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		at2, _ := fake.posts()
		stop2()
		require.Greater(t, len(at2), len(at))
		first := at2[len(at)]
		t.Logf("last post before stop at +%v (endsAt +%v); restart at +%v; first post after restart at +%v",
			last.Sub(last), lastEnd.Sub(last), restart.Sub(last), first.Sub(last))
		require.True(t, first.Before(lastEnd), "Alertmanager resolved the alert at %v; first post after restart came at %v", lastEnd, first)
	})
}
