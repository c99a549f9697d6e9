package mlp_test

import (
	"fmt"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
)

// BenchmarkTrainingStepThreads times the step of BenchmarkTrainingStep,
// 784-256-10 with ReLU on a batch of 256, with Gemm on one and on two
// goroutines.
func BenchmarkTrainingStepThreads(b *testing.B) {
	const batch = 256
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			defer kernels.SetMaxThreads(kernels.SetMaxThreads(threads))
			p := newTrainingProblem([]int{784, 256, 10}, mlp.ReLU, batch)
			p.step(batch, false)
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
