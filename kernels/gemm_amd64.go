//go:build !purego

package kernels

// avx2Microkernel computes 6×16 tiles with AVX2 and FMA: twelve YMM
// accumulators, two vectors of B and two broadcasts of A per k step.
var avx2Microkernel = gemmMicrokernel{
	mr:         6,
	nr:         16,
	packed:     gemm6x16PackedAVX2,
	strided:    gemm6x16StridedAVX2,
	copyA:      copyRows6AVX2,
	copyB:      copyRows16AVX2,
	transposeA: transposeRows6AVX2,
	transposeB: transposeRows16AVX2,
}

// gemmAVX2 computes C = alpha·op(A)·op(B) + beta·C with the AVX2
// microkernel. Like every implementation it assumes valid arguments with
// m, n > 0.
func gemmAVX2(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	gemmBlocked(&avx2Microkernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transposeRows16AVX2 packs 16 rows of src into a k-major micro-panel of
// width 16 as two groups of 8.
func transposeRows16AVX2(panel, src []float32, ld, k int) {
	transposeRows8AVX2(panel, 16, src, ld, k)
	transposeRows8AVX2(panel[8:], 16, src[8*ld:], ld, k)
}
