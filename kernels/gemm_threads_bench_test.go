package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
)

// BenchmarkGemmThreads times kernels.Gemm on one and on two goroutines, at
// 1024³ and on the products of dense layers with a batch of 256. For a
// 784-512 layer these are the forward X·W, the weight gradient Xᵀ·dZ and
// the input gradient dZ·Wᵀ. For the 784-256 layer of BenchmarkTrainingStep
// in mlp they are the forward and the weight gradient.
func BenchmarkGemmThreads(b *testing.B) {
	shapes := []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"1024x1024x1024", false, false, 1024, 1024, 1024},
		{"256x512x784", false, false, 256, 512, 784},
		{"784x512x256-transA", true, false, 784, 512, 256},
		{"256x784x512-transB", false, true, 256, 784, 512},
		{"256x256x784", false, false, 256, 256, 784},
		{"784x256x256-transA", true, false, 784, 256, 256},
	}
	for _, threads := range []int{1, 2} {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("threads=%d/shape=%s", threads, s.name), func(b *testing.B) {
				defer kernels.SetMaxThreads(kernels.SetMaxThreads(threads))
				lda, ldb := s.k, s.n
				if s.transA {
					lda = s.m
				}
				if s.transB {
					ldb = s.k
				}
				rng := rand.New(rand.NewPCG(5, 6))
				x, y := randomMatrix(rng, s.m*s.k), randomMatrix(rng, s.k*s.n)
				c := make([]float32, s.m*s.n)
				b.ReportAllocs()
				for b.Loop() {
					kernels.Gemm(s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// randomMatrix returns size values drawn uniformly from [-1, 1).
func randomMatrix(rng *rand.Rand, size int) []float32 {
	x := make([]float32, size)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}
