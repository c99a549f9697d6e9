// Package conformance is the test suite that every implementation of the
// simdgrad kernels must pass: package generic and each path of package
// kernels plug into Run from their own tests. It checks results against a
// float64 oracle of its own, the special values that PyTorch fixes, guard
// values around every output, and the panics for bad arguments.
package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Kernels is one implementation of the simdgrad API under test.
type Kernels struct {
	// Name labels the subtests, for example "kernels/avx2".
	Name string
	// Prefix is the package name that starts every panic message,
	// "kernels" or "generic".
	Prefix string

	Gemm          GemmFunc
	ReLU          func(y, x []float32)
	LeakyReLU     func(y, x []float32, slope float32)
	Sigmoid       func(y, x []float32)
	Tanh          func(y, x []float32)
	ReLUGrad      func(dx, dy, y []float32)
	LeakyReLUGrad func(dx, dy, y []float32, slope float32)
	SigmoidGrad   func(dx, dy, y []float32)
	TanhGrad      func(dx, dy, y []float32)
	AddBias       func(m, n int, bias []float32, c []float32, ldc int)
	SumRows       func(m, n int, a []float32, lda int, dst []float32)
}

// GemmFunc is the signature of Gemm: C = alpha·op(A)·op(B) + beta·C.
type GemmFunc = func(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int)

// Run runs the whole suite against k, as subtests of t named after k.Name.
//
// The allocation test runs first and alone, because testing.AllocsPerRun
// counts the allocations of every goroutine. The other subtests run in
// parallel with each other. Run returns only when all have finished, so a
// caller may switch implementations between two calls of Run.
func Run(t *testing.T, k Kernels) {
	t.Run(k.Name, func(t *testing.T) {
		requireComplete(t, k)
		t.Run("fixtures", func(t *testing.T) { testFixtures(t, k) })
		t.Run("allocs", func(t *testing.T) { testAllocs(t, k) })

		parallel := []struct {
			name string
			test func(*testing.T, Kernels)
		}{
			{"elementwise", testElementwise},
			{"specials", testSpecialValues},
			{"relugrad-select", testReLUGradSelect},
			{"saturation", testSaturation},
			{"long", testLongInputs},
			{"addbias", testAddBias},
			{"sumrows", testSumRows},
			{"gemm", testGemm},
			{"bad-arguments", testBadArguments},
			{"concurrent", testConcurrent},
		}
		for _, p := range parallel {
			t.Run(p.name, func(t *testing.T) {
				t.Parallel()
				p.test(t, k)
			})
		}
	})
}

// requireComplete fails the test at once unless k names itself and has
// every kernel, so that a missing function fails with its name rather than
// a nil-pointer panic deep in a subtest.
func requireComplete(t *testing.T, k Kernels) {
	t.Helper()
	require.NotEmpty(t, k.Name, "Kernels.Name")
	require.NotEmpty(t, k.Prefix, "Kernels.Prefix")
	require.NotNil(t, k.Gemm, "Kernels.Gemm")
	require.NotNil(t, k.ReLU, "Kernels.ReLU")
	require.NotNil(t, k.LeakyReLU, "Kernels.LeakyReLU")
	require.NotNil(t, k.Sigmoid, "Kernels.Sigmoid")
	require.NotNil(t, k.Tanh, "Kernels.Tanh")
	require.NotNil(t, k.ReLUGrad, "Kernels.ReLUGrad")
	require.NotNil(t, k.LeakyReLUGrad, "Kernels.LeakyReLUGrad")
	require.NotNil(t, k.SigmoidGrad, "Kernels.SigmoidGrad")
	require.NotNil(t, k.TanhGrad, "Kernels.TanhGrad")
	require.NotNil(t, k.AddBias, "Kernels.AddBias")
	require.NotNil(t, k.SumRows, "Kernels.SumRows")
}
