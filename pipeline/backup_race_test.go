//go:build race

package pipeline

// roundTripN is the number of records of the round-trip test. The race
// detector slows the dev server's ingestion and SQL several times over, so
// a -race run uses a tenth of the records to stay under 30 s; a plain
// run uses them all.
func roundTripN() int { return roundTripRecords / 10 }
