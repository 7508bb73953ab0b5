//go:build race

package o2kit

// raceEnabled reports a -race build, whose instrumentation allocates.
const raceEnabled = true
