package mlp_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
)

// BenchmarkTrainingStepThreads times the step of BenchmarkTrainingStep,
// 784-256-10 with ReLU on a batch of 256, with Gemm and SGD on one and on
// two goroutines.
//
// Each case trains for warmUp before it starts the clock, because on the
// 2-core virtual machine that simdgrad was tuned on, the second core
// reached full speed only 0.1 to 0.3 s after it had been idle. Just after a
// second of steps on one goroutine, blocks of 25 steps on two took 2.7,
// 2.7, 2.6, 2.4 and 2.1 ms per step, and 1.7 to 1.8 ms from there on.
func BenchmarkTrainingStepThreads(b *testing.B) {
	const warmUp = 500 * time.Millisecond
	const batch = 256
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			defer kernels.SetMaxThreads(kernels.SetMaxThreads(threads))
			p := newTrainingProblem([]int{784, 256, 10}, mlp.ReLU, batch)
			for start := time.Now(); time.Since(start) < warmUp; {
				p.step(batch, false)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.step(batch, false)
			}
			seconds := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/seconds, "steps/s")
			b.ReportMetric(float64(b.N*batch)/seconds, "samples/s")
		})
	}
}

// BenchmarkCrossCoreRead reads 1 MiB that another thread has just written
// and 1 MiB that the reading thread has just written, one load per cache
// line, and reports the time per line of each. The two-goroutine training
// step depends on how fast data moves between cores, because its goroutines
// hand activations and gradients to each other every step, which Gemm
// alone does not. On the 2-core virtual machine that simdgrad was tuned
// on, the remote read took 1.0 to 1.2 times as long as the local one in
// some minutes and 2 to 3 times in others. Two goroutines ran the step 1.6
// to 1.8 times as fast as one in the first state, and 1.2 to 1.3 times in
// the second.
func BenchmarkCrossCoreRead(b *testing.B) {
	const lines = 1 << 14 // 1 MiB of 64-byte lines
	buf := make([]float32, lines*16)
	write := func(v float32) {
		for i := range buf {
			buf[i] = v
		}
	}
	read := func() (sum float32) {
		for i := 0; i < len(buf); i += 16 {
			sum += buf[i]
		}
		return sum
	}
	// The writer runs on a thread of its own, and so does the reader.
	request, written := make(chan float32), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		for v := range request {
			write(v)
			written <- struct{}{}
		}
	}()
	defer close(request)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	var local, remote time.Duration
	var sum float32
	for b.Loop() {
		write(1)
		start := time.Now()
		sum += read()
		local += time.Since(start)

		request <- 2
		<-written
		start = time.Now()
		sum += read()
		remote += time.Since(start)
	}
	if sum == 0 {
		b.Fatal("the reads summed to 0, so they did not see the written values")
	}
	b.ReportMetric(float64(local.Nanoseconds())/float64(b.N*lines), "local-ns/line")
	b.ReportMetric(float64(remote.Nanoseconds())/float64(b.N*lines), "remote-ns/line")
}
