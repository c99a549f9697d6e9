// Package conformance is the test suite that every implementation of the
// simdgrad kernels must pass: package generic and each path of package
// kernels plug into Run from their own tests. It checks results against a
// float64 oracle of its own, the special values that PyTorch fixes, guard
// values around every output, and the panics for bad arguments.
package conformance

import "testing"

// Kernels is one implementation of the simdgrad API under test.
type Kernels struct {
	// Name labels the subtests, for example "kernels/avx2".
	Name string
	// Prefix is the package name that starts every panic message,
	// "kernels" or "generic".
	Prefix string

	Gemm func(transA, transB bool, m, n, k int, alpha float32,
		a []float32, lda int, b []float32, ldb int,
		beta float32, c []float32, ldc int)
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

// Run runs the whole suite against k.
func Run(t *testing.T, k Kernels) {
	t.Run("fixtures", func(t *testing.T) { testFixtures(t, k) })
}
