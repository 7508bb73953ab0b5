package o2kit

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const crashEnv = "O2KIT_CRASH_CHILD"

// crashCase is how the child emits: perTick records every millisecond, in
// batches sealed at batch records or after interval.
type crashCase struct {
	name     string
	perTick  int
	batch    int
	interval time.Duration
	killFrom int // spooled records the parent waits for before SIGKILL
	maxLost  int // open batch: a batch, or a flush interval's worth of records
}

var crashCases = []crashCase{
	{name: "sealed-by-count", perTick: 20, batch: 50, interval: time.Hour, killFrom: 2000, maxLost: 2 * 50},
	{name: "sealed-by-time", perTick: 1, batch: 10_000, interval: 50 * time.Millisecond, killFrom: 200, maxLost: 2 * 50},
}

// runCrashChild is the child side of TestCrashReplaysEverySealedRecord:
// it emits numbered records at a steady pace into a spool whose server is
// down, writing "e <seq>" after each Emit returns and "s <n>" whenever the
// spooled count grows, until it is killed.
func runCrashChild() bool {
	if os.Getenv(crashEnv) == "" {
		return false
	}
	var cc crashCase
	for _, c := range crashCases {
		if c.name == os.Getenv(crashEnv) {
			cc = c
		}
	}
	c, err := New(
		WithEndpoint(os.Getenv("O2KIT_CRASH_URL")),
		WithBasicAuth("root@example.com", "x"),
		WithSpool(os.Getenv("O2KIT_CRASH_DIR"), 0),
		WithBatchSize(cc.batch),
		WithFlushInterval(cc.interval),
		WithMaxRetries(0),
		WithErrorHandler(ErrorHandlerFunc(func(error) {})),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// A service's pace, not a tight loop.
	tick := time.NewTicker(time.Millisecond)
	var spooled uint64
	for i := 0; ; i++ {
		if i%cc.perTick == 0 {
			<-tick.C
		}
		if err := c.Emit(context.Background(), Record{Stream: "crash", Attrs: []slog.Attr{slog.Int("seq", i)}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		line := "e " + strconv.Itoa(i) + "\n"
		if s := c.Stats().Spooled; s != spooled {
			spooled = s
			line += "s " + strconv.FormatUint(s, 10) + "\n"
		}
		os.Stdout.WriteString(line)
	}
}

// TestCrashReplaysEverySealedRecord kills a process with SIGKILL while it
// spools records for a server that is down, then starts a client on the
// same spool with the server up: every record the child had spooled
// arrives, none twice by id, and the records lost are those of the open
// batch (and a batch the spool writer had not yet written, if the kill
// caught one on its way).
func TestCrashReplaysEverySealedRecord(t *testing.T) {
	for _, cc := range crashCases {
		t.Run(cc.name, func(t *testing.T) { crashAndReplay(t, cc) })
	}
}

func crashAndReplay(t *testing.T, cc crashCase) {
	srv, url := devServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	down := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	dir := t.TempDir()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+cc.name, "O2KIT_CRASH_DIR="+dir, "O2KIT_CRASH_URL="+down)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())

	emitted, spooled := -1, 0
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		kind, n, _ := strings.Cut(sc.Text(), " ")
		v, err := strconv.Atoi(n)
		require.NoError(t, err, sc.Text())
		switch kind {
		case "e":
			emitted = v
		case "s":
			spooled = v
		}
		if !killed && spooled >= cc.killFrom {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true // keep reading what it wrote before dying
		}
	}
	require.True(t, killed, "the child ended on its own")
	_ = cmd.Wait()
	require.GreaterOrEqual(t, spooled, cc.killFrom)

	c, log := newClient(t, srv, url, WithSpool(dir, 0))
	flush(t, c)
	st := c.Stats()
	recs := srv.Records("default", "crash")
	bySeq, ids := seqs(recs)
	assert.Len(t, ids, len(bySeq), "one id per record: a resent record keeps its id")
	for seq := range spooled {
		assert.Equal(t, 1, bySeq[seq], "spooled record %d arrives exactly once", seq)
	}
	got := len(bySeq)
	for seq := range got {
		require.Contains(t, bySeq, seq, "no hole: records are sealed in order")
	}
	lost := emitted + 1 - got
	t.Logf("emitted %d, spooled %d (last report), replayed %d, delivered %d, lost %d", emitted+1, spooled, st.Replayed, got, lost)
	assert.GreaterOrEqual(t, lost, 0)
	assert.LessOrEqual(t, lost, cc.maxLost, "only the open batch, and at most one on its way to the disk, are lost")
	assert.Equal(t, uint64(got), st.Replayed)
	assert.Empty(t, log.all())
}
