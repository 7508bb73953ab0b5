package alerting

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseRules checks that no input makes ParseRules panic, and that
// whatever it accepts is valid, has unique IDs and is already normalized.
// The seeds are whole rule files, so minimizing a new input takes long;
// run it with a bound, as in
//
//	go test -run '^$' -fuzz FuzzParseRules -fuzztime 20s -fuzzminimizetime 100x ./alerting
func FuzzParseRules(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(ruleFile("      - &a\n        alert: A\n        expr: up\n      - <<: *a\n        for: 1m\n")))
	f.Add([]byte(ruleFile("      - alert: A\n        expr: |\n          sum(\n            up +\n          )\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		groups, err := ParseRules(data, "fuzz.yaml")
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, g := range groups {
			for _, r := range g.Rules {
				if err := r.Validate(); err != nil {
					t.Fatalf("accepted rule %+v is invalid: %v", r, err)
				}
				if r.ID == "" || ids[r.ID] {
					t.Fatalf("rule id %q empty or repeated", r.ID)
				}
				ids[r.ID] = true
			}
		}
		if _, err := normalizeGroups(groups); err != nil {
			t.Fatalf("accepted groups do not normalize: %v", err)
		}
	})
}
