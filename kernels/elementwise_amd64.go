//go:build !purego

package kernels

// The AVX2 elementwise and row-wise kernels. Each cuts its work into blocks
// of about blockLen elements per assembly call; the assembly is generated
// by asm/avx2/elementwise.

func reluAVX2Blocks(y, x []float32) { unaryInBlocks(reluAVX2, y, x) }

func leakyReLUAVX2Blocks(y, x []float32, slope float32) {
	unaryScalarInBlocks(leakyReLUAVX2, y, x, slope)
}

func sigmoidAVX2Blocks(y, x []float32) { unaryInBlocks(sigmoidAVX2, y, x) }

func tanhAVX2Blocks(y, x []float32) { unaryInBlocks(tanhAVX2, y, x) }

func reluGradAVX2Blocks(dx, dy, y []float32) { binaryInBlocks(reluGradAVX2, dx, dy, y) }

func leakyReLUGradAVX2Blocks(dx, dy, y []float32, slope float32) {
	binaryScalarInBlocks(leakyReLUGradAVX2, dx, dy, y, slope)
}

func sigmoidGradAVX2Blocks(dx, dy, y []float32) { binaryInBlocks(sigmoidGradAVX2, dx, dy, y) }

func tanhGradAVX2Blocks(dx, dy, y []float32) { binaryInBlocks(tanhGradAVX2, dx, dy, y) }

// addBiasAVX2 adds bias to each row of the m×n matrix C, a block of rows
// and columns per assembly call. The exported AddBias has checked the
// arguments and returned when m or n is 0.
func addBiasAVX2(m, n int, bias []float32, c []float32, ldc int) {
	width, rows := rowBlock(n)
	for j := 0; j < n; j += width {
		w := min(width, n-j)
		for i := 0; i < m; i += rows {
			addBiasRowsAVX2(c[i*ldc+j:], bias[j:j+w], min(rows, m-i), ldc)
		}
	}
}

// sumRowsAVX2 sets dst to the sum of the m rows of A. It copies row 0 and
// then adds rows 1 to m−1 in order, a block of rows and columns per
// assembly call; a column's later blocks start from the partial sum that
// its earlier blocks stored, so every column is summed in row order, as
// package generic sums it. The exported SumRows has checked the arguments
// and handled m = 0 and n = 0.
func sumRowsAVX2(m, n int, a []float32, lda int, dst []float32) {
	copy(dst[:n], a[:n])
	width, rows := rowBlock(n)
	for j := 0; j < n; j += width {
		w := min(width, n-j)
		for i := 1; i < m; i += rows {
			accumulateRowsAVX2(dst[j:j+w], a[i*lda+j:], min(rows, m-i), lda)
		}
	}
}
