//go:build !purego

package kernels

// The NEON elementwise and row-wise kernels. Each cuts its work into blocks
// of about blockLen elements per assembly call; the assembly is generated
// by asm/neon/elementwise.

func reluNEONBlocks(y, x []float32) { unaryInBlocks(reluNEON, y, x) }

func leakyReLUNEONBlocks(y, x []float32, slope float32) {
	unaryScalarInBlocks(leakyReLUNEON, y, x, slope)
}

func sigmoidNEONBlocks(y, x []float32) { unaryInBlocks(sigmoidNEON, y, x) }

func tanhNEONBlocks(y, x []float32) { unaryInBlocks(tanhNEON, y, x) }

func reluGradNEONBlocks(dx, dy, y []float32) { binaryInBlocks(reluGradNEON, dx, dy, y) }

func leakyReLUGradNEONBlocks(dx, dy, y []float32, slope float32) {
	binaryScalarInBlocks(leakyReLUGradNEON, dx, dy, y, slope)
}

func sigmoidGradNEONBlocks(dx, dy, y []float32) { binaryInBlocks(sigmoidGradNEON, dx, dy, y) }

func tanhGradNEONBlocks(dx, dy, y []float32) { binaryInBlocks(tanhGradNEON, dx, dy, y) }

// addBiasNEON adds bias to each row of the m×n matrix C, a block of rows
// and columns per assembly call. The exported AddBias has checked the
// arguments and returned when m or n is 0.
func addBiasNEON(m, n int, bias []float32, c []float32, ldc int) {
	width, rows := rowBlock(n)
	for j := 0; j < n; j += width {
		w := min(width, n-j)
		for i := 0; i < m; i += rows {
			addBiasRowsNEON(c[i*ldc+j:], bias[j:j+w], min(rows, m-i), ldc)
		}
	}
}

// sumRowsNEON sets dst to the sum of the m rows of A. It copies row 0 and
// then adds rows 1 to m−1 in order, a block of rows and columns per
// assembly call. A column's later blocks start from the partial sum that
// its earlier blocks stored, so every column is summed in row order, as
// package generic sums it. The exported SumRows has checked the arguments
// and handled m = 0 and n = 0.
func sumRowsNEON(m, n int, a []float32, lda int, dst []float32) {
	copy(dst[:n], a[:n])
	width, rows := rowBlock(n)
	for j := 0; j < n; j += width {
		w := min(width, n-j)
		for i := 1; i < m; i += rows {
			accumulateRowsNEON(dst[j:j+w], a[i*lda+j:], min(rows, m-i), lda)
		}
	}
}
