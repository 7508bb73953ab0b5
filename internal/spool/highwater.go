package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// highWaterName is the file that keeps the highest id handed out once the
// segments that held it are deleted, so ids keep increasing across reopen.
const highWaterName = "LASTID"

// readHighWater returns the id stored in dir's high-water file, 0 when there
// is none. An unreadable content is reported and counts as 0.
func readHighWater(dir string, report func(error)) (uint64, error) {
	path := filepath.Join(dir, highWaterName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("spool: %w", err)
	}
	if len(b) != 12 || crc32.Checksum(b[:8], castagnoli) != binary.LittleEndian.Uint32(b[8:]) {
		report(&CorruptError{File: path, Reason: "bad high-water mark"})
		return 0, nil
	}
	return binary.LittleEndian.Uint64(b), nil
}

// writeHighWater replaces dir's high-water file with id, atomically: it
// writes a temporary file and renames it.
func writeHighWater(dir string, id uint64, sync bool) error {
	path := filepath.Join(dir, highWaterName)
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, 12), id)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	_, err = f.Write(b)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("spool: high-water mark: %w", err)
	}
	if sync {
		return syncDir(dir)
	}
	return nil
}
