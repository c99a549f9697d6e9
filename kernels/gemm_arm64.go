//go:build !purego

package kernels

// neonMicrokernel computes 8×12 tiles with NEON: 24 accumulators, three
// vectors of B and two of A per k step, and FMLA by element, which takes
// each value of A from a lane. The packers are the driver's Go loops.
var neonMicrokernel = gemmMicrokernel{
	mr:      8,
	nr:      12,
	packed:  gemm8x12PackedNEON,
	strided: gemm8x12StridedNEON,
}

// gemmNEON computes C = alpha·op(A)·op(B) + beta·C with the NEON
// microkernel. Like every implementation it assumes valid arguments with
// m, n > 0.
func gemmNEON(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	gemmBlocked(&neonMicrokernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
