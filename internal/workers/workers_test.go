package workers

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingJob counts the runs of each part.
type countingJob struct {
	runs []atomic.Int32
}

func (j *countingJob) RunPart(i int) {
	j.runs[i].Add(1)
}

func TestRunRunsEveryPartOnce(t *testing.T) {
	for size := range 6 {
		for parts := 1; parts <= size+1; parts++ {
			team := Reserve(size, size+1)
			require.Equal(t, size, team.Size(), "helpers reserved with nothing busy")
			job := &countingJob{runs: make([]atomic.Int32, parts)}
			team.Run(job, parts)
			for i := range job.runs {
				assert.EqualValues(t, 1, job.runs[i].Load(), "runs of part %d of %d on a team of %d", i, parts, size)
			}
			_, busy := Counts()
			assert.Zero(t, busy, "helpers held after Run returned")
		}
	}
}

func TestRunPanicsOnPartsOutsideTheTeam(t *testing.T) {
	team := Reserve(2, 3)
	job := &countingJob{runs: make([]atomic.Int32, 4)}
	assert.PanicsWithValue(t, "workers: 4 parts for a team of 2 helpers", func() { team.Run(job, 4) })
	assert.PanicsWithValue(t, "workers: 0 parts for a team of 2 helpers", func() { team.Run(job, 0) })
	team.Run(job, 1)
	assert.EqualValues(t, 0, job.runs[1].Load(), "part 1 of a run of 1 part")
	_, busy := Counts()
	assert.Zero(t, busy, "helpers held after Run returned")
}

// TestReserveStaysBelowLimit holds one team while reserving another: the
// two together never reach the limit, and a team is empty when the helpers
// of others already do.
func TestReserveStaysBelowLimit(t *testing.T) {
	first := Reserve(5, 4)
	assert.Equal(t, 3, first.Size(), "helpers for 5 wanted below a limit of 4")
	second := Reserve(1, 4)
	assert.Zero(t, second.Size(), "helpers while another team holds 3 of a limit of 4")
	third := Reserve(1, 6)
	assert.Equal(t, 1, third.Size(), "helpers below a limit of 6 while 3 are held")
	_, busy := Counts()
	assert.Equal(t, 4, busy, "helpers held by two teams")
	first.Run(&countingJob{runs: make([]atomic.Int32, 1)}, 1)
	third.Run(&countingJob{runs: make([]atomic.Int32, 2)}, 2)
	_, busy = Counts()
	assert.Zero(t, busy, "helpers held after both Runs returned")
}

// sliceJob adds its part number plus one to every element of its share of
// out, so that a part run twice, or not at all, leaves a wrong value.
type sliceJob struct {
	out   []int
	parts int
}

func (j *sliceJob) RunPart(i int) {
	lo, hi := i*len(j.out)/j.parts, (i+1)*len(j.out)/j.parts
	for k := lo; k < hi; k++ {
		j.out[k] += i + 1
	}
}

// runAll runs every part in turn on the calling goroutine.
func (j *sliceJob) runAll() {
	for i := range j.parts {
		j.RunPart(i)
	}
}

// TestConcurrentTeams runs many goroutines that each reserve teams and
// split jobs on them at once, under the race detector in CI, and checks
// every element that the parts wrote.
func TestConcurrentTeams(t *testing.T) {
	const limit = 4
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for round := range 50 {
				team := Reserve(limit-1, limit)
				parts := 1 + (g+round)%(team.Size()+1)
				job := &sliceJob{out: make([]int, 1000), parts: parts}
				team.Run(job, parts)
				want := make([]int, len(job.out))
				(&sliceJob{out: want, parts: parts}).runAll()
				if !assert.Equal(t, want, job.out, "goroutine %d round %d, %d parts", g, round, parts) {
					return
				}
			}
		})
	}
	wg.Wait()
	started, busy := Counts()
	assert.Zero(t, busy, "helpers held after every Run returned")
	// TestRunRunsEveryPartOnce reserves 5 helpers at once, and no test
	// holds more.
	assert.LessOrEqual(t, started, 5, "helpers started")
}

// TestSignalWakesASleepingReceiver posts after the receiver has stopped
// spinning, so that wait takes the channel path, and then posts at once, so
// that it takes the spinning path.
func TestSignalWakesASleepingReceiver(t *testing.T) {
	s := newSignal()
	returned := make(chan struct{})
	for _, delay := range []time.Duration{3 * spin, 0, 2 * spin, 0} {
		go func() {
			s.wait()
			returned <- struct{}{}
		}()
		time.Sleep(delay)
		if delay > spin {
			require.Eventually(t, func() bool { return s.state.Load() == signalSleeping },
				time.Second, spin/4, "the receiver did not go to sleep after %v", delay)
		}
		s.post()
		select {
		case <-returned:
		case <-time.After(5 * time.Second):
			t.Fatalf("wait did not return within 5 s of a post %v after it started", delay)
		}
		assert.EqualValues(t, signalEmpty, s.state.Load(), "state after wait returned")
	}
}

// TestSignalPingPong passes events back and forth many times, with the
// post racing the receiver's check.
func TestSignalPingPong(t *testing.T) {
	ping, pong := newSignal(), newSignal()
	const rounds = 20000
	var received atomic.Int32
	go func() {
		for range rounds {
			ping.wait()
			received.Add(1)
			pong.post()
		}
	}()
	for range rounds {
		ping.post()
		pong.wait()
	}
	assert.EqualValues(t, rounds, received.Load(), "events received")
}

// TestRunAllocatesNothing checks that a warm team and job allocate nothing.
func TestRunAllocatesNothing(t *testing.T) {
	job := &sliceJob{out: make([]int, 64), parts: 3}
	run := func() {
		team := Reserve(2, 3)
		job.parts = team.Size() + 1
		team.Run(job, job.parts)
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(100, run), "allocations per Reserve and Run")
}
