package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ReadManifests reads the chain of manifests in a backup directory, oldest
// first, and checks its links: sequences 1, 2, 3... with no gap, each
// naming the one before by its checksum, each starting where the one
// before ended, all of the same org, stream and type. A directory without
// manifests gives an empty chain and no error. Errors match
// [ErrBadManifest] and name the manifest file.
func ReadManifests(dir string) ([]*Manifest, error) {
	found, err := filepath.Glob(filepath.Join(dir, "manifest-*.json"))
	if err != nil {
		return nil, err
	}
	names := found[:0]
	for _, f := range found {
		if _, ok := manifestSeq(f); ok {
			names = append(names, f)
		}
	}
	chain := make([]*Manifest, 0, len(names))
	var prevSum string
	for i := range names {
		name := manifestName(i + 1)
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%w: %s is missing from the chain of %d", ErrBadManifest, name, len(names))
			}
			return nil, err
		}
		m, err := ParseManifest(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := linked(chain, m, prevSum); err != nil {
			return nil, fmt.Errorf("%w: %s: %s", ErrBadManifest, name, err)
		}
		chain = append(chain, m)
		prevSum = sha256Hex(data)
	}
	return chain, nil
}

// linked checks that m continues chain, whose last manifest's bytes hash
// to prevSum.
func linked(chain []*Manifest, m *Manifest, prevSum string) error {
	if m.Sequence != len(chain)+1 {
		return fmt.Errorf("sequence %d, want %d", m.Sequence, len(chain)+1)
	}
	if len(chain) == 0 {
		return nil
	}
	prev := chain[len(chain)-1]
	switch {
	case m.Previous.Name != manifestName(prev.Sequence) || m.Previous.SHA256 != prevSum:
		return fmt.Errorf("previous manifest is %s (sha256 %s), but the chain has %s (sha256 %s)",
			m.Previous.Name, m.Previous.SHA256, manifestName(prev.Sequence), prevSum)
	case m.Org != prev.Org || m.Stream != prev.Stream || m.Type != prev.Type:
		return fmt.Errorf("backs up %s/%s/%s, the chain %s/%s/%s", m.Org, m.Type, m.Stream, prev.Org, prev.Type, prev.Stream)
	case !m.Start.Equal(prev.End):
		return fmt.Errorf("starts at %s, the previous backup ended at %s", m.Start, prev.End)
	}
	return nil
}

// writeManifest writes m as the next manifest of dir, through a temporary
// file renamed into place, so a crash leaves either no manifest or a
// complete one.
func writeManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	final := filepath.Join(dir, manifestName(m.Sequence))
	tmp, err := os.CreateTemp(dir, ".manifest-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), final)
}

// manifestRef returns the reference to the last manifest of chain, for the
// next backup; nil for an empty chain.
func manifestRef(dir string, chain []*Manifest) (*ManifestRef, error) {
	if len(chain) == 0 {
		return nil, nil
	}
	name := manifestName(chain[len(chain)-1].Sequence)
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	return &ManifestRef{Name: name, SHA256: sha256Hex(data)}, nil
}

func sha256Hex(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// manifestSeq reads the sequence number out of a manifest file name.
func manifestSeq(name string) (int, bool) {
	s, ok := strings.CutPrefix(filepath.Base(name), "manifest-")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".json")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}
