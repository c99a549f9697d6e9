package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) read() time.Time         { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

func TestProgressBarRender(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	bar := newProgressBarWithClock(nil, "epoch 2/8", 60000, clock.read)

	assert.Equal(t, "epoch 2/8 [>                             ]   0% 0/60000", bar.render(0, 0))
	assert.Equal(t, "epoch 2/8 [===============>              ]  50% 30000/60000 15000 samples/s", bar.render(30000, 2*time.Second))
	assert.Equal(t, "epoch 2/8 [==============================] 100% 60000/60000 20000 samples/s", bar.render(60000, 3*time.Second))
}

func TestProgressBarRateLimit(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	var out bytes.Buffer
	bar := newProgressBarWithClock(&out, "e", 100, clock.read)

	bar.update(10)
	assert.Equal(t, 1, strings.Count(out.String(), "\r"), "the first update draws")
	clock.advance(50 * time.Millisecond)
	bar.update(20)
	assert.Equal(t, 1, strings.Count(out.String(), "\r"), "an update within 100 ms draws nothing")
	clock.advance(50 * time.Millisecond)
	bar.update(30)
	assert.Equal(t, 2, strings.Count(out.String(), "\r"), "an update 100 ms after the last redraw draws")
	assert.True(t, strings.HasSuffix(out.String(), "\re [=========>                    ]  30% 30/100 300 samples/s"), "output %q", out.String())
}

func TestProgressBarPadsShorterLine(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	var out bytes.Buffer
	bar := newProgressBarWithClock(&out, "e", 1000, clock.read)

	clock.advance(time.Millisecond)
	bar.update(999)
	long := bar.render(999, time.Millisecond) // 999000 samples/s
	clock.advance(time.Second)
	out.Reset()
	bar.update(1000)
	short := bar.render(1000, time.Second+time.Millisecond) // 999 samples/s
	assert.Equal(t, "\r"+short+strings.Repeat(" ", len(long)-len(short)), out.String())
	assert.Less(t, len(short), len(long))
}

func TestProgressBarFinishClears(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	var out bytes.Buffer
	bar := newProgressBarWithClock(&out, "e", 10, clock.read)
	bar.update(5)
	width := len(strings.TrimPrefix(out.String(), "\r"))
	out.Reset()

	bar.finish()
	assert.Equal(t, "\r"+strings.Repeat(" ", width)+"\r", out.String())
	out.Reset()
	bar.finish()
	assert.Empty(t, out.String(), "a cleared bar stays cleared")
}

func TestProgressBarOffTerminal(t *testing.T) {
	var out bytes.Buffer
	bar := newProgressBar(&out, "e", 10)
	bar.update(5)
	bar.finish()
	assert.Empty(t, out.String())
}
