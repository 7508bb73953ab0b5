//go:build !race

package pipeline

// roundTripN is the number of records of the round-trip test: all of them
// without the race detector.
func roundTripN() int { return roundTripRecords }
