//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package spool

import (
	"fmt"
	"os"
)

// lockSupported reports whether [lockDir] really excludes other spools.
const lockSupported = false

// lockDir creates path and keeps it open, without locking: this platform has
// no flock, so two spools on one directory are not detected here.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: lock: %w", err)
	}
	return f, nil
}

// syncDir does nothing: directories cannot be synced portably here.
func syncDir(string) error { return nil }
