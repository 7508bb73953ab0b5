package spool

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Environment of the child process run by TestCrash.
const (
	crashDirEnv   = "O2KIT_SPOOL_CRASH_DIR"
	crashStartEnv = "O2KIT_SPOOL_CRASH_START"
)

// TestCrashChild is the child of TestCrash; it does nothing unless run by
// it. It appends numbered frames to the spool until killed, printing
// "appended <id> <i>" once Append returned and "acked <id>" once Ack
// returned; every third frame is acknowledged.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	require.NoError(t, err)
	s, err := Open(Options{Dir: dir, SegmentBytes: 16 << 10})
	require.NoError(t, err)
	for i := start; i < start+1_000_000; i++ {
		id, err := s.Append(testMeta(i), testBody(i, testBodyLen(i)))
		require.NoError(t, err)
		fmt.Printf("appended %d %d\n", id, i)
		if i%3 == 0 {
			require.NoError(t, s.Ack(id))
			fmt.Printf("acked %d\n", id)
		}
	}
	require.NoError(t, s.Close())
}

// crashState is what the parent learned from the children's output.
type crashState struct {
	frame map[uint64]int // id → i of every frame whose Append returned
	acked map[uint64]bool
	maxID uint64
	// ackUnsure is a frame the child was acknowledging when killed: Ack may
	// have returned without the child printing it.
	ackUnsure uint64
}

// runChild runs TestCrashChild on dir, reads its output until it reported
// killAfter frames, kills it with SIGKILL and reads what it printed before.
func runChild(t *testing.T, dir string, start, killAfter int, st *crashState) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashStartEnv+"="+strconv.Itoa(start))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	appended, killed := 0, false
	defer func() { // on failure, do not leave the child running
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "appended":
			id, _ := strconv.ParseUint(f[1], 10, 64)
			i, _ := strconv.Atoi(f[2])
			require.Greater(t, id, st.maxID, "ids increase across crashes")
			st.frame[id], st.maxID = i, id
			if i%3 == 0 {
				st.ackUnsure = id
			}
			appended++
		case len(f) == 2 && f[0] == "acked":
			id, _ := strconv.ParseUint(f[1], 10, 64)
			st.acked[id] = true
			st.ackUnsure = 0
		}
		if appended == killAfter && !killed {
			require.NoError(t, cmd.Process.Kill())
			killed = true
		}
	}
	require.NoError(t, sc.Err())
	require.True(t, killed, "the child stopped by itself")
	require.Error(t, cmd.Wait(), "killed")
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	st := &crashState{frame: map[uint64]int{}, acked: map[uint64]bool{}}
	for round := range 3 {
		runChild(t, dir, round*1_000_000, []int{3000, 1234, 4321}[round], st)

		var r reports
		s, err := Open(Options{Dir: dir, OnCorrupt: r.add})
		require.NoError(t, err)
		assert.Empty(t, r.list(), "a killed process leaves no torn frame")
		pending := map[uint64]bool{}
		for _, e := range s.Pending() {
			pending[e.ID] = true
			i, known := st.frame[e.ID]
			if !known {
				// Written, but the child died before printing it.
				require.Equal(t, st.maxID+1, e.ID)
				i = frameIndex(t, e.Meta)
				st.frame[e.ID] = i
			}
			meta, body, err := s.Read(e.ID)
			require.NoError(t, err)
			assert.Equal(t, testMeta(i), meta)
			assert.Equal(t, testBody(i, testBodyLen(i)), body)
		}
		if id := st.ackUnsure; id != 0 && !pending[id] {
			st.acked[id] = true
		}
		st.ackUnsure = 0
		for id := range st.frame {
			assert.NotEqual(t, st.acked[id], pending[id], "id %d: acked or pending, not both", id)
		}
		st.maxID = max(st.maxID, s.lastID)
		require.NoError(t, s.Close())
	}
}
