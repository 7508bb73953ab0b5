package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/o2kit/o2kit/pipeline"
)

// bar draws a one-line progress bar, redrawn in place with '\r' at most
// ten times a second.
type bar struct {
	w     io.Writer
	label string
	last  time.Time
	p     pipeline.Progress
	drawn bool
	width int // longest line drawn, to blank what a shorter one leaves
}

func newBar(w io.Writer, label string) *bar { return &bar{w: w, label: label} }

const barWidth = 30

// update takes a progress report; it is a pipeline Progress callback.
func (b *bar) update(p pipeline.Progress) {
	b.p = p
	if now := time.Now(); now.Sub(b.last) >= 100*time.Millisecond {
		b.last = now
		b.draw()
	}
}

// done draws the last state and ends the line.
func (b *bar) done() {
	if b.p == (pipeline.Progress{}) && !b.drawn {
		return
	}
	b.draw()
	fmt.Fprintln(b.w)
}

func (b *bar) draw() {
	b.drawn = true
	p := b.p
	var line string
	if p.Total <= 0 {
		line = fmt.Sprintf("%-8s %d record(s)  %s  %s", b.label, p.Records, size(p.Bytes), p.File)
	} else {
		done := min(int(p.Records*barWidth/p.Total), barWidth)
		line = fmt.Sprintf("%-8s [%s%s] %3d%%  %d/%d record(s)  %s  %s", b.label,
			strings.Repeat("#", done), strings.Repeat("-", barWidth-done),
			p.Records*100/p.Total, p.Records, p.Total, size(p.Bytes), p.File)
	}
	b.width = max(b.width, len(line))
	fmt.Fprintf(b.w, "\r%-*s", b.width, line)
}

// size writes a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
