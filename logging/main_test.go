package logging

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// epoch is the pinned clock of the tests.
var epoch = o2test.Epoch

func pinned() time.Time { return epoch }

// dev is the dev server and a client of it (see o2test.New).
type dev struct {
	*o2test.Env
	client *o2kit.Client
}

// newDev starts the dev server and a client with a pinned clock and no
// record ids, so stored records are stable; both close when the test ends.
func newDev(t *testing.T, opts ...o2kit.Option) *dev {
	t.Helper()
	e := o2test.New(t, opts...)
	return &dev{Env: e, client: e.Client}
}

// records flushes the client and returns what the server stored in
// stream, named as the caller names it.
func (d *dev) records(t *testing.T, stream string) []map[string]any {
	t.Helper()
	return d.Records(t, o2kit.StreamName(stream))
}

// getJSON sends an authenticated GET to the dev server and decodes the
// answer.
func (d *dev) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, d.URL+path, nil)
	require.NoError(t, err)
	req.SetBasicAuth(d.Server.RootUser())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
