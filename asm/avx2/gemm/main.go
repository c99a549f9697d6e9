// Command gemm writes simdgrad's AVX2+FMA Gemm microkernels for amd64: the
// assembly in kernels/gemm_avx2_amd64.s and its Go declarations in
// kernels/gemm_avx2_stubs_amd64.go. Each kernel computes one 6×16 tile of C;
// the Go driver in kernels/gemm_driver.go packs the operands, blocks the
// loops for the caches and calls a kernel once per tile.
// Run it through go generate in this directory, or make generate at the top.
package main

//go:generate go run . -out ../../../kernels/gemm_avx2_amd64.s -stubs ../../../kernels/gemm_avx2_stubs_amd64.go -pkg kernels

import (
	. "github.com/mmcloughlin/avo/build"
)

func main() {
	ConstraintExpr("!purego")

	TEXT("gemm6x16PackedAVX2", NOSPLIT,
		"func(k int, a, b, c []float32, ldc int, alpha, beta float32, mode int)")
	Pragma("noescape")
	Doc(
		"gemm6x16PackedAVX2 computes the 6×16 tile C = alpha·A·B + beta·C from",
		"packed micro-panels: a holds k columns of 6 values of op(A) (k-major) and",
		"b holds k rows of 16 values of op(B). C is row-major with leading",
		"dimension ldc. mode selects the write-back: 0 writes alpha·A·B without",
		"reading C (beta = 0), 1 adds C (beta = 1), 2 adds beta·C. The caller",
		"checks that a has 6·k elements, b has 16·k and c has 5·ldc+16.",
	)
	microkernel("gemm6x16PackedAVX2", newPackedOperands())

	TEXT("gemm6x16StridedAVX2", NOSPLIT,
		"func(k int, a []float32, rsA, csA int, b []float32, rsB int, c []float32, ldc int, "+
			"alpha, beta float32, mode int)")
	Pragma("noescape")
	Doc(
		"gemm6x16StridedAVX2 computes the 6×16 tile C = alpha·A·B + beta·C like",
		"gemm6x16PackedAVX2, but reads A[i][p] at a[i·rsA + p·csA] and the 16",
		"values of B[p] at b[p·rsB:], so that small products need not be packed.",
		"The caller checks that a has 5·rsA+(k-1)·csA+1 elements, b has",
		"(k-1)·rsB+16 and c has 5·ldc+16.",
	)
	microkernel("gemm6x16StridedAVX2", newStridedOperands())

	TEXT("transposeRows8AVX2", NOSPLIT, "func(panel []float32, width int, src []float32, ld, k int)")
	Pragma("noescape")
	Doc(
		"transposeRows8AVX2 sets panel[p·width+i] = src[i·ld+p] for i < 8 and",
		"p < k, where k is a multiple of 4: it packs 8 rows of the source as",
		"columns of a k-major micro-panel. The caller checks that src has",
		"7·ld+k elements and panel has (k-1)·width+8.",
	)
	transposeRows("transposeRows8AVX2", 8)

	TEXT("transposeRows6AVX2", NOSPLIT, "func(panel []float32, src []float32, ld, k int)")
	Pragma("noescape")
	Doc(
		"transposeRows6AVX2 sets panel[6·p+i] = src[i·ld+p] for i < 6 and p < k,",
		"where k is a multiple of 4: it packs 6 rows of the source into a",
		"k-major micro-panel of width 6. The caller checks that src has",
		"5·ld+k elements and panel has 6·k.",
	)
	transposeRows("transposeRows6AVX2", 6)

	TEXT("copyRows16AVX2", NOSPLIT, "func(panel []float32, src []float32, ld, k int)")
	Pragma("noescape")
	Doc(
		"copyRows16AVX2 sets panel[16·p+j] = src[p·ld+j] for j < 16 and p < k,",
		"where k is a multiple of 4: it packs k rows of 16 values of the source",
		"into a k-major micro-panel. The caller checks that src has (k-1)·ld+16",
		"elements and panel has 16·k.",
	)
	copyRows("copyRows16AVX2", 16)

	TEXT("copyRows6AVX2", NOSPLIT, "func(panel []float32, src []float32, ld, k int)")
	Pragma("noescape")
	Doc(
		"copyRows6AVX2 sets panel[6·p+j] = src[p·ld+j] for j < 6 and p < k,",
		"where k is a multiple of 4: it packs k rows of 6 values of the source",
		"into a k-major micro-panel. The caller checks that src has (k-1)·ld+6",
		"elements and panel has 6·k.",
	)
	copyRows("copyRows6AVX2", 6)

	Generate()
}
