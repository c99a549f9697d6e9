package mlp_test

import (
	"fmt"
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
