// Package workers runs the parts of a job on the calling goroutine and on
// helper goroutines that are started once and kept, so that splitting work
// starts no goroutine and allocates nothing. Gemm and the SGD step of mlp
// share the helpers, so that the number of goroutines working for them
// stays within one limit however many goroutines call them at once.
package workers

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work split into parts that may run at the same time.
type Job interface {
	// RunPart runs part i of the parts that Team.Run was given.
	RunPart(i int)
}

// helper is a goroutine that runs one part of a job at a time. The caller
// that reserved it writes job and part, posts start and waits for done.
type helper struct {
	job   Job
	part  int
	start signal
	done  signal
	next  *helper // the next helper on the idle stack or in a team
}

func (h *helper) loop() {
	for {
		h.start.wait()
		h.job.RunPart(h.part)
		// Drop the caller's job, which the idle helper must not keep alive.
		h.job = nil
		h.done.post()
	}
}

// pool is the set of helpers, started as teams need them and never
// stopped. busy counts the helpers that teams hold, and Reserve keeps it
// below its limit. So however many goroutines reserve at once, at most
// limit−1 helpers work for them, and at most the largest limit−1 seen
// exist.
var pool struct {
	mu      sync.Mutex
	idle    *helper // stack linked through next
	busy    int
	started int
}

// Team is a set of helpers that one caller holds, from Reserve until Run
// returns. The zero Team has no helpers.
type Team struct {
	list *helper
	size int
}

// Reserve returns a team of up to want helpers: fewer when other teams
// hold so many that more would make the helpers at work reach limit, the
// number of goroutines allowed to work at once, the callers' own included.
func Reserve(want, limit int) Team {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	var t Team
	t.size = max(0, min(want, limit-1-pool.busy))
	for range t.size {
		h := pool.idle
		if h == nil {
			h = &helper{start: newSignal(), done: newSignal()}
			pool.started++
			go h.loop()
		} else {
			pool.idle = h.next
		}
		h.next = t.list
		t.list = h
	}
	pool.busy += t.size
	return t
}

// Size returns the number of helpers in the team.
func (t Team) Size() int {
	return t.size
}

// Run runs parts 0 to parts−1 of job: the last on the calling goroutine and
// each other part on a helper of the team. It returns when every part has
// returned, and gives the team's helpers back, so the team must not be
// used again. parts must be at least 1 and at most t.Size()+1.
func (t Team) Run(job Job, parts int) {
	if parts < 1 || parts > t.size+1 {
		panic(fmt.Sprintf("workers: %d parts for a team of %d helpers", parts, t.size))
	}
	h := t.list
	for part := range parts - 1 {
		h.job, h.part = job, part
		h.start.post()
		h = h.next
	}
	job.RunPart(parts - 1)
	h = t.list
	for range parts - 1 {
		h.done.wait()
		h = h.next
	}
	release(t.list)
}

// release returns the helpers of list, which must be idle, to the pool.
func release(list *helper) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for list != nil {
		h := list
		list = h.next
		h.next = pool.idle
		pool.idle = h
		pool.busy--
	}
}

// Counts returns the number of helpers ever started and the number that
// teams hold now, for tests.
func Counts() (started, busy int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return pool.started, pool.busy
}

// spin is how long a goroutine waiting on a signal checks it before it goes
// to sleep on a channel. Waking a sleeping goroutine took tens of
// microseconds on the 2-core Zen 2 virtual machine that simdgrad was tuned
// on, and a training step of 784-256-10 with a batch of 256 has 0.1 to 0.3
// ms between its large products. One goroutine ran that step in 2.9 ms.
// Two took 2.5 to 3.1 ms when the helpers slept at once, 2.0 ms when they
// spun for 20 µs, and 1.85 ms when they spun for 1 ms.
// The threads of OpenMP runtimes and of OpenBLAS also spin before they
// sleep. A waiting goroutine yields the processor between checks, so other
// goroutines still run.
const spin = time.Millisecond

// signal passes one event at a time from one goroutine to another.
type signal struct {
	state atomic.Int32 // signalEmpty, signalPosted or signalSleeping
	wake  chan struct{}
}

const (
	signalEmpty    = 0 // no event, and the receiver is not asleep
	signalPosted   = 1 // an event that the receiver has not taken yet
	signalSleeping = 2 // the receiver sleeps on wake
)

func newSignal() signal {
	return signal{wake: make(chan struct{}, 1)}
}

// post sends the event, and wakes the receiver when it sleeps. It must not
// be called again before wait has returned for the event.
func (s *signal) post() {
	if s.state.Swap(signalPosted) == signalSleeping {
		s.wake <- struct{}{}
	}
}

// wait returns once post has sent an event that no earlier wait took. It
// spins for up to spin, and then sleeps on the channel until post wakes it.
func (s *signal) wait() {
	var start time.Time
	for i := 0; ; i++ {
		if s.state.CompareAndSwap(signalPosted, signalEmpty) {
			return
		}
		if i%32 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spin {
				break
			}
		}
		runtime.Gosched()
	}
	// post sends on wake only when it finds signalSleeping, so if this
	// swap fails, the event has come and nothing will be sent.
	if s.state.CompareAndSwap(signalEmpty, signalSleeping) {
		<-s.wake
	}
	s.state.Store(signalEmpty)
}
