package kernels

import "github.com/simdgrad/simdgrad/internal/arguments"

const pkg = "kernels"

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X, or Xᵀ when
// the matching trans flag is set, op(A) is m×k, op(B) is k×n and C is m×n.
// All matrices are row-major with leading dimensions lda, ldb and ldc, as in
// CBLAS with row-major order: A is m×k (k×m when transA), B is k×n (n×k
// when transB).
//
// When beta is 0, C is written without being read, so NaN in C does not
// survive. When alpha or k is 0, C becomes beta·C. When m or n is 0, Gemm
// returns at once. Only the m×n window of C is written. Gemm panics before
// writing anything when a size is negative, a leading dimension is too small
// or a slice is too short, with a message such as "kernels: lda 3 < k 4".
func Gemm(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	if arguments.Gemm(pkg, transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	active.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// ReLU sets y[i] = 0 where x[i] < 0 and y[i] = x[i] otherwise, so ReLU(-0)
// is -0 and ReLU(NaN) is NaN, as in PyTorch. y and x must have the same
// length and may be the same slice, but must not partly overlap.
func ReLU(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	active.relu(y, x)
}

// LeakyReLU sets y[i] = x[i] where x[i] > 0 and y[i] = slope·x[i]
// otherwise. y and x must have the same length and may be the same slice,
// but must not partly overlap.
func LeakyReLU(y, x []float32, slope float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	active.leakyReLU(y, x, slope)
}

// Sigmoid sets y[i] = 1 / (1 + e^-x[i]). Finite inputs of any size give a
// result in [0, 1], never NaN. y and x must have the same length and may be
// the same slice, but must not partly overlap.
func Sigmoid(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	active.sigmoid(y, x)
}

// Tanh sets y[i] = tanh(x[i]). Finite inputs of any size give a result in
// [-1, 1], never NaN. y and x must have the same length and may be the same
// slice, but must not partly overlap.
func Tanh(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	active.tanh(y, x)
}

// ReLUGrad sets dx[i] = 0 where y[i] ≤ 0 and dx[i] = dy[i] otherwise, where
// y is the output of ReLU. It selects rather than multiplies, so an inactive
// unit gets 0 even when dy[i] is Inf or NaN. The three slices must have the
// same length; dx may be the same slice as dy, but the slices must not
// partly overlap.
func ReLUGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	active.reluGrad(dx, dy, y)
}

// LeakyReLUGrad sets dx[i] = dy[i] where y[i] > 0 and dx[i] = slope·dy[i]
// otherwise, where y is the output of LeakyReLU. The three slices must have
// the same length; dx may be the same slice as dy, but the slices must not
// partly overlap.
func LeakyReLUGrad(dx, dy, y []float32, slope float32) {
	checkGrad(dx, dy, y)
	active.leakyReLUGrad(dx, dy, y, slope)
}

// SigmoidGrad sets dx[i] = dy[i]·(1−y[i])·y[i], where y is the output of
// Sigmoid. The three slices must have the same length; dx may be the same
// slice as dy, but the slices must not partly overlap.
func SigmoidGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	active.sigmoidGrad(dx, dy, y)
}

// TanhGrad sets dx[i] = dy[i]·(1−y[i]²), where y is the output of Tanh. The
// three slices must have the same length; dx may be the same slice as dy, but the slices must not
// partly overlap.
func TanhGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	active.tanhGrad(dx, dy, y)
}

func checkGrad(dx, dy, y []float32) {
	arguments.SameLen(pkg, "dx", len(dx), "dy", len(dy))
	arguments.SameLen(pkg, "dx", len(dx), "y", len(y))
}

// AddBias adds the row vector bias to every row of the m×n matrix C:
// C[i][j] += bias[j]. It needs ldc ≥ n and len(bias) ≥ n, and writes only the
// m×n window of C.
func AddBias(m, n int, bias []float32, c []float32, ldc int) {
	if arguments.Rows(pkg, m, n, "bias", len(bias), "c", len(c), ldc) {
		return
	}
	active.addBias(m, n, bias, c, ldc)
}

// SumRows sets dst[j] = Σᵢ A[i][j], the sum of the m rows of the m×n matrix
// A, overwriting the first n elements of dst; with m = 0 it sets them to
// zero. Each column is summed from row 0 down on every path, so the result
// is the same bit for bit whichever implementation runs.
func SumRows(m, n int, a []float32, lda int, dst []float32) {
	if arguments.Rows(pkg, m, n, "dst", len(dst), "a", len(a), lda) {
		clear(dst[:n])
		return
	}
	active.sumRows(m, n, a, lda, dst)
}
