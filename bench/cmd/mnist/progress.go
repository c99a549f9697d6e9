package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress bar drawing: at most one redraw per redrawInterval, barWidth
// characters of bar.
const (
	redrawInterval = 100 * time.Millisecond
	barWidth       = 30
)

// progressBar is a one-line progress display such as "epoch 2/8 [=====>  ]
// 45% 27008/60000 21503 samples/s", redrawn in place after a carriage
// return. newProgressBar enables it only on a terminal, so that a redirected
// stderr does not fill with redraws.
type progressBar struct {
	w       io.Writer // nil: draw nothing
	label   string
	total   int
	now     func() time.Time
	start   time.Time
	drawn   time.Time // time of the last redraw
	visible int       // length of the drawn line, for clearing it
}

// newProgressBar returns a bar for total items that draws on w if w is a
// terminal.
func newProgressBar(w io.Writer, label string, total int) *progressBar {
	if !isTerminal(w) {
		w = nil
	}
	return newProgressBarWithClock(w, label, total, time.Now)
}

func newProgressBarWithClock(w io.Writer, label string, total int, now func() time.Time) *progressBar {
	return &progressBar{w: w, label: label, total: total, now: now, start: now()}
}

// update redraws the bar for done items, unless it was redrawn less than
// redrawInterval ago.
func (b *progressBar) update(done int) {
	if b.w == nil {
		return
	}
	now := b.now()
	if !b.drawn.IsZero() && now.Sub(b.drawn) < redrawInterval {
		return
	}
	b.drawn = now
	line := b.render(done, now.Sub(b.start))
	// Spaces cover the rest of a longer earlier line.
	pad := max(b.visible-len(line), 0)
	fmt.Fprintf(b.w, "\r%s%s", line, strings.Repeat(" ", pad))
	b.visible = len(line)
}

// finish clears the bar's line, so that the line that follows starts in
// column 0 of an empty line.
func (b *progressBar) finish() {
	if b.w == nil || b.visible == 0 {
		return
	}
	fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", b.visible))
	b.visible = 0
}

// render returns the line without the carriage return. Only ASCII is used,
// so len is the width on screen.
func (b *progressBar) render(done int, elapsed time.Duration) string {
	fraction := 1.0
	if b.total > 0 {
		fraction = min(float64(done)/float64(b.total), 1)
	}
	filled := int(fraction * barWidth)
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	line := fmt.Sprintf("%s [%s] %3.0f%% %d/%d", b.label, bar, 100*fraction, done, b.total)
	if seconds := elapsed.Seconds(); seconds > 0 {
		line += fmt.Sprintf(" %.0f samples/s", float64(done)/seconds)
	}
	return line
}
