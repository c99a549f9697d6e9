package generic

import "github.com/simdgrad/simdgrad/internal/arguments"

// AddBias adds the row vector bias to every row of the m×n matrix C:
// C[i][j] += bias[j]. It is the bias step of a dense layer's forward pass.
func AddBias(m, n int, bias []float32, c []float32, ldc int) {
	if arguments.Rows(pkg, m, n, "bias", len(bias), "c", len(c), ldc) {
		return
	}
	bias = bias[:n]
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j, v := range bias {
			row[j] += v
		}
	}
}

// SumRows sets dst[j] = Σᵢ A[i][j], the sum of the m rows of the m×n matrix
// A, overwriting dst; with m = 0 it sets dst to zero. It is the bias
// gradient of a dense layer. Each column is summed from row 0 down, an order
// that every implementation keeps, so results do not depend on the path.
func SumRows(m, n int, a []float32, lda int, dst []float32) {
	if arguments.Rows(pkg, m, n, "dst", len(dst), "a", len(a), lda) {
		clear(dst[:n])
		return
	}
	dst = dst[:n]
	copy(dst, a[:n])
	for i := 1; i < m; i++ {
		row := a[i*lda : i*lda+n]
		for j, v := range row {
			dst[j] += v
		}
	}
}
