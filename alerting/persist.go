package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateFileName is the file WithStateDir keeps the state in.
const stateFileName = "alerting-state.json"

// stateVersion is the format of the state file; a file of another
// version is reported and ignored rather than misread.
const stateVersion = 1

// savedState is what survives a restart.
type savedState struct {
	Version  int              `json:"version"`
	SavedAt  time.Time        `json:"saved_at"`
	Alerts   []Alert          `json:"alerts"` // pending and firing
	Dispatch dispatchSnapshot `json:"dispatch"`
	Rules    ruleOverrides    `json:"rules"`
}

// stateFile reads and atomically replaces the state file.
type stateFile struct{ path string }

func openState(dir string) (*stateFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("alerting: state directory: %w", err)
	}
	return &stateFile{path: filepath.Join(dir, stateFileName)}, nil
}

// load returns the saved state, or nil when there is none yet. A file
// that cannot be decoded is an error: starting without it would notify
// every firing alert again, so the operator decides (remove the file).
func (f *stateFile) load() (*savedState, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("alerting: reading state: %w", err)
	}
	var s savedState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("alerting: state file %s is damaged (remove it to start afresh): %w", f.path, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("alerting: state file %s has version %d, want %d", f.path, s.Version, stateVersion)
	}
	return &s, nil
}

// write replaces the file with s: a temporary file is written, synced and
// renamed over it, so a crash leaves the old state or the new, never half.
func (f *stateFile) write(s *savedState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("alerting: encoding state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), stateFileName+".*")
	if err != nil {
		return fmt.Errorf("alerting: writing state: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("alerting: writing state: %w", err)
	}
	return nil
}

// saveEvery is the least time between two writes of the state file while
// Run runs: every evaluation and notification asks for one.
const saveEvery = time.Second

// save asks for the state to be written if WithStateDir is set: by the
// saver goroutine while Run runs, at most once per saveEvery, else at
// once.
func (e *Engine) save() {
	if e.state == nil {
		return
	}
	e.mu.Lock()
	async := e.saving
	e.mu.Unlock()
	if !async {
		e.saveNow()
		return
	}
	select {
	case e.dirty <- struct{}{}:
	default: // a write is already due
	}
}

// saver writes the state saveEvery after it is asked, so requests in
// between share one write and a send the dispatcher logs just after its
// attempt is observed is in it, until ctx ends; Run writes it a last time
// after.
func (e *Engine) saver(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.dirty:
		}
		t := time.NewTimer(saveEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		e.saveNow()
	}
}

// saveNow writes the engine's state; a failure goes to the error handler,
// called after the write lock is released.
func (e *Engine) saveNow() {
	if err := e.writeState(); err != nil {
		e.cfg.errs.Handle(err)
	}
}

func (e *Engine) writeState() error {
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	e.mu.Lock()
	s := &savedState{Version: stateVersion, SavedAt: e.cfg.now(), Rules: e.overrides}
	groups := slices.Clone(e.groups)
	e.mu.Unlock()
	for _, g := range groups {
		for _, a := range g.ev.alerts() {
			if a.State == StatePending || a.State == StateFiring {
				s.Alerts = append(s.Alerts, a)
			}
		}
	}
	s.Dispatch = e.disp.snapshot()
	return e.state.write(s)
}
