package generic

import (
	"fmt"
	"testing"
)

func BenchmarkGemm(b *testing.B) {
	for _, size := range []int{64, 256, 512} {
		b.Run(fmt.Sprintf("shape=%dx%dx%d", size, size, size), func(b *testing.B) {
			x := make([]float32, size*size)
			y := make([]float32, size*size)
			z := make([]float32, size*size)
			for i := range x {
				x[i] = float32(i%7) - 3
				y[i] = float32(i%5) - 2
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				Gemm(false, false, size, size, size, 1, x, size, y, size, 0, z, size)
			}
			b.ReportMetric(2*float64(size*size*size)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
