package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/kernels"
)

// elementwiseSizes are the vector lengths of the elementwise benchmarks.
// One slice takes 8 KiB at 2048 elements, 16 KiB at 4096, 256 KiB at
// 65536, and 4 and 64 MiB at 1<<20 and 1<<24. A gradient kernel streams
// three slices, so with a 32 KiB L1 data cache it runs from L1 at 2048
// but not at 4096 (48 KiB), where an activation's two slices just fit;
// 65536 measures L2 and L3, and the last two DRAM.
var elementwiseSizes = []int{2048, 4096, 65536, 1 << 20, 1 << 24}

// unaryKernel and binaryKernel adapt every elementwise signature to one
// shape; the adapters for LeakyReLU and LeakyReLUGrad fix the slope at
// 0.01, the mlp default.
type (
	unaryKernel  func(y, x []float32)
	binaryKernel func(dx, dy, y []float32)
)

type implementations[K any] struct {
	fast, generic K
}

func benchmarkImpls[K any](b *testing.B, impls implementations[K], run func(b *testing.B, k K, n int)) {
	for _, n := range elementwiseSizes {
		for _, impl := range []struct {
			name   string
			kernel K
		}{
			{kernels.Impl(), impls.fast},
			{"generic", impls.generic},
		} {
			b.Run(fmt.Sprintf("impl=%s/n=%d", impl.name, n), func(b *testing.B) {
				run(b, impl.kernel, n)
			})
		}
	}
}

// inputs returns n values of a standard normal distribution, so that
// activations see both signs and the gradients' selects both outcomes.
func inputs(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// reportElements reports the throughput in billions of elements per
// second.
func reportElements(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
}

func runUnary(b *testing.B, k unaryKernel, n int) {
	x := inputs(n, 1)
	y := make([]float32, n)
	k(y, x)
	b.ReportAllocs()
	b.SetBytes(int64(8 * n))
	b.ResetTimer()
	for range b.N {
		k(y, x)
	}
	reportElements(b, n)
}

func runBinary(b *testing.B, k binaryKernel, n int) {
	dy := inputs(n, 2)
	y := inputs(n, 3)
	dx := make([]float32, n)
	k(dx, dy, y)
	b.ReportAllocs()
	b.SetBytes(int64(12 * n))
	b.ResetTimer()
	for range b.N {
		k(dx, dy, y)
	}
	reportElements(b, n)
}

func BenchmarkReLU(b *testing.B) {
	benchmarkImpls(b, implementations[unaryKernel]{kernels.ReLU, generic.ReLU}, runUnary)
}

func BenchmarkLeakyReLU(b *testing.B) {
	benchmarkImpls(b, implementations[unaryKernel]{
		func(y, x []float32) { kernels.LeakyReLU(y, x, 0.01) },
		func(y, x []float32) { generic.LeakyReLU(y, x, 0.01) },
	}, runUnary)
}

func BenchmarkSigmoid(b *testing.B) {
	benchmarkImpls(b, implementations[unaryKernel]{kernels.Sigmoid, generic.Sigmoid}, runUnary)
}

func BenchmarkTanh(b *testing.B) {
	benchmarkImpls(b, implementations[unaryKernel]{kernels.Tanh, generic.Tanh}, runUnary)
}

func BenchmarkReLUGrad(b *testing.B) {
	benchmarkImpls(b, implementations[binaryKernel]{kernels.ReLUGrad, generic.ReLUGrad}, runBinary)
}

func BenchmarkLeakyReLUGrad(b *testing.B) {
	benchmarkImpls(b, implementations[binaryKernel]{
		func(dx, dy, y []float32) { kernels.LeakyReLUGrad(dx, dy, y, 0.01) },
		func(dx, dy, y []float32) { generic.LeakyReLUGrad(dx, dy, y, 0.01) },
	}, runBinary)
}

func BenchmarkSigmoidGrad(b *testing.B) {
	benchmarkImpls(b, implementations[binaryKernel]{kernels.SigmoidGrad, generic.SigmoidGrad}, runBinary)
}

func BenchmarkTanhGrad(b *testing.B) {
	benchmarkImpls(b, implementations[binaryKernel]{kernels.TanhGrad, generic.TanhGrad}, runBinary)
}

// rowKernel adapts AddBias and SumRows to one shape: the m×n matrix, with
// ld = n, and the length-n vector.
type rowKernel func(m, n int, matrix, vector []float32)

// rowWidth is the row length of the row-kernel benchmarks, a typical
// hidden-layer width; the sizes give the total number of matrix elements.
const rowWidth = 256

func runRows(b *testing.B, k rowKernel, size int) {
	m := size / rowWidth
	matrix := inputs(m*rowWidth, 4)
	vector := inputs(rowWidth, 5)
	k(m, rowWidth, matrix, vector)
	b.ReportAllocs()
	b.SetBytes(int64(4 * size))
	b.ResetTimer()
	for range b.N {
		k(m, rowWidth, matrix, vector)
	}
	reportElements(b, size)
}

func BenchmarkAddBias(b *testing.B) {
	benchmarkImpls(b, implementations[rowKernel]{
		func(m, n int, c, bias []float32) { kernels.AddBias(m, n, bias, c, n) },
		func(m, n int, c, bias []float32) { generic.AddBias(m, n, bias, c, n) },
	}, runRows)
}

func BenchmarkSumRows(b *testing.B) {
	benchmarkImpls(b, implementations[rowKernel]{
		func(m, n int, a, dst []float32) { kernels.SumRows(m, n, a, n, dst) },
		func(m, n int, a, dst []float32) { generic.SumRows(m, n, a, n, dst) },
	}, runRows)
}
