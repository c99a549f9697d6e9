package main

import (
	"fmt"

	"github.com/simdgrad/simdgrad/asm/neon/arm64"
)

// The register tile is mr×nr = 8×12 float32 values.
//
// A V register holds 4 float32 lanes, and there are 32 of them. With an
// mr×nr tile the accumulators take mr·nr/4 registers, one k step loads
// nr/4 vectors of B and mr/4 vectors of A, and it issues mr·nr/4 FMLA by
// element (fmla vC.4s, vB.4s, vA.s[lane]): the lane operand broadcasts one
// value of A for free, so A needs no separate broadcasts. Among the tiles
// that fit, with 3 registers to spare for alpha, beta and the write-back:
//
//	tile    accumulators  B + A  total  FMLA per load
//	8×8     16            2 + 2  20     4.0
//	8×12    24            3 + 2  29     4.8
//	12×8    24            2 + 3  29     4.8
//	4×16    16            4 + 1  21     3.2
//	16×4    16            1 + 4  21     3.2
//
// 8×12 and 12×8 use the most registers and issue the most FMLA per load.
// 8×12 wins because a tile row of 12 values is three vectors, which one
// LD1 or ST1 of three registers moves, and because 8 divides the driver's
// gemmMC of 144. Its B micro-panel is kc·12·4 = 12 KiB at
// kc = 256, which leaves room in a 32 KiB L1 for the 8 KiB A micro-panels
// that stream past it.
const (
	mr = 8
	nr = 12
)

// Register use. V0–V23 accumulate the tile: row i is V(3i), V(3i+1),
// V(3i+2), consecutive so that one LD1 or ST1 moves a row of C. V24–V26
// hold a row of op(B) and V27–V28 a column of op(A) (rows 0–3, then 4–7)
// during the k loop. The write-back reuses V24–V29 for rows of C and holds
// alpha in lane 0 of V30 and beta in lane 0 of V31.
const (
	regB     = arm64.V24
	regA     = arm64.V27
	regAlpha = arm64.V30
	regBeta  = arm64.V31
)

// unroll is the number of k steps per iteration of the main k loop, and a
// loop of one step finishes the k mod unroll steps left. Every accumulator
// gets one FMLA per step, 24 instructions apart, so the FMLA latency is
// hidden without unrolling. Unrolling only spreads the SUBS and the branch
// over more work, one pair per 96 FMLA instead of per 24.
//
// NOTE: the unroll factor and the instruction order are not tuned on arm64
// hardware, because timings under qemu do not reflect a real core.
const unroll = 4

// Values of the mode parameter, as kernels/gemm_driver.go defines them.
const (
	modeOverwrite  = 0 // C = alpha·A·B, C not read
	modeAccumulate = 1 // C = alpha·A·B + C
	modeScale      = 2 // C = alpha·A·B + beta·C
)

// General-purpose registers shared by both kernels.
const (
	regK    = arm64.R0  // k steps left
	regPA   = arm64.R1  // the next column of op(A)
	regPB   = arm64.R2  // the next row of op(B)
	regC    = arm64.R3  // the row of C to store next
	regLdc  = arm64.R4  // ldc in bytes
	regRsA  = arm64.R5  // strided: rsA in bytes
	regCsA  = arm64.R6  // strided: csA in bytes
	regRsB  = arm64.R7  // strided: rsB in bytes
	regMode = arm64.R8  // write-back mode
	scratch = arm64.R9  // alpha and beta on their way into V registers
	regLoad = arm64.R10 // the row of C to load next
	regWalk = arm64.R11 // strided: walks down one column of A
)

// acc returns the accumulator of row i and vector j of the tile.
func acc(i, j int) arm64.Vector { return arm64.VReg(3*i + j).S4() }

// row returns the three accumulators of row i.
func row(i int) []arm64.Vector { return []arm64.Vector{acc(i, 0), acc(i, 1), acc(i, 2)} }

// regs returns n consecutive registers from first, as S4 vectors.
func regs(first arm64.VReg, n int) []arm64.Vector {
	v := make([]arm64.Vector, n)
	for i := range v {
		v[i] = (first + arm64.VReg(i)).S4()
	}
	return v
}

// aLane returns the element of the A column that holds row i.
func aLane(i int) arm64.Element { return (regA + arm64.VReg(i/4)).S(i % 4) }

// fmlas emits the 24 FMLA of one k step, row by row, so that the first
// twelve need only the first A vector.
func fmlas(fn *arm64.Func) {
	for i := range mr {
		for j := range nr / 4 {
			fn.Emit(arm64.FMLAE(acc(i, j), (regB + arm64.VReg(j)).S4(), aLane(i)))
		}
	}
}

// kLoop emits the k loop around step, which loads one row of B and one
// column of A and updates the accumulators. It falls through when done and
// jumps to label done when no step is left for its one-step loop. prefix
// keeps the labels of several loops in one function apart.
func kLoop(fn *arm64.Func, prefix, done string, step func()) {
	main, mainEnd, tail := prefix+"k4", prefix+"k4_end", prefix+"k1"
	fn.Comment(fmt.Sprintf("%d k steps per iteration while at least that many remain.", unroll))
	fn.Emit(arm64.SUBSI(regK, regK, unroll), arm64.BCond(arm64.LT, mainEnd))
	fn.Label(main)
	for range unroll {
		step()
	}
	fn.Emit(arm64.SUBSI(regK, regK, unroll), arm64.BCond(arm64.GE, main))
	fn.Label(mainEnd)
	fn.Emit(arm64.ADDI(regK, regK, unroll))
	fn.Comment(fmt.Sprintf("Fewer than %d k steps remain: one per iteration.", unroll))
	fn.Emit(arm64.CBZ(regK, done))
	fn.Label(tail)
	step()
	fn.Emit(arm64.SUBSI(regK, regK, 1), arm64.BCond(arm64.NE, tail))
}

// zeroAccumulators clears V0–V23. Each element then starts its FMA chain
// from +0, as the reference loop does, so an all-zero product keeps the
// sign that the reference gives it.
func zeroAccumulators(fn *arm64.Func) {
	fn.Comment("Clear the 24 accumulators.")
	for i := range mr * nr / 4 {
		v := arm64.VReg(i).B16()
		fn.Emit(arm64.VEOR(v, v, v))
	}
}

// writeBack emits the code at label done that scales the accumulators by
// alpha and stores them to C in the mode that the mode parameter selects.
// Mode 1 computes C + alpha·AB as one FMLA, rounded once. Mode 2 rounds
// alpha·AB and then adds beta·C with one FMLA. The AVX2 kernels round the
// same way.
func writeBack(fn *arm64.Func, done string) {
	fn.Label(done)
	fn.Comment("Write-back: C row i is V(3i)..V(3i+2), rows ldc·4 bytes apart.")
	fn.Emit(
		arm64.LoadArg(regC, fn.Arg("c").Base()),
		arm64.LoadArg(regLdc, fn.Arg("ldc")),
		arm64.LSLI(regLdc, regLdc, 2),
		arm64.LoadArg(scratch, fn.Arg("alpha")),
		arm64.VDUP(regAlpha.S4(), scratch),
		arm64.LoadArg(regMode, fn.Arg("mode")),
		arm64.CMPI(regMode, modeAccumulate),
		arm64.BCond(arm64.EQ, "accumulate"),
		arm64.BCond(arm64.GT, "scale"),
	)
	alpha := regAlpha.S(0)
	fn.Comment("Mode 0: C = alpha·A·B, without reading C (beta = 0).")
	for i := range mr {
		for j := range nr / 4 {
			fn.Emit(arm64.FMULE(acc(i, j), acc(i, j), alpha))
		}
		fn.Emit(arm64.VST1PStep(regC, regLdc, row(i)...))
	}
	fn.Emit(arm64.RET())

	// Rows of C alternate between V24–V26 and V27–V29, so that the load
	// of one row need not wait for the store of the one before.
	cRow := func(i int) []arm64.Vector { return regs(arm64.V24+arm64.VReg(3*(i%2)), 3) }

	fn.Label("accumulate")
	fn.Comment("Mode 1: C = C + alpha·A·B, one FMLA per vector (beta = 1).")
	fn.Emit(arm64.MOVD(regLoad, regC))
	for i := range mr {
		c := cRow(i)
		fn.Emit(arm64.VLD1PStep(regLoad, regLdc, c...))
		for j := range nr / 4 {
			fn.Emit(arm64.FMLAE(c[j], acc(i, j), alpha))
		}
		fn.Emit(arm64.VST1PStep(regC, regLdc, c...))
	}
	fn.Emit(arm64.RET())

	fn.Label("scale")
	fn.Comment("Mode 2: C = alpha·A·B + beta·C, alpha·A·B rounded, then one FMLA.")
	fn.Emit(
		arm64.LoadArg(scratch, fn.Arg("beta")),
		arm64.VDUP(regBeta.S4(), scratch),
		arm64.MOVD(regLoad, regC),
	)
	beta := regBeta.S(0)
	for i := range mr {
		c := cRow(i)
		fn.Emit(arm64.VLD1PStep(regLoad, regLdc, c...))
		for j := range nr / 4 {
			fn.Emit(arm64.FMULE(acc(i, j), acc(i, j), alpha))
		}
		for j := range nr / 4 {
			fn.Emit(arm64.FMLAE(acc(i, j), c[j], beta))
		}
		fn.Emit(arm64.VST1PStep(regC, regLdc, row(i)...))
	}
	fn.Emit(arm64.RET())
}

// kernelParams are the write-back parameters that both kernels end with.
var kernelParams = []arm64.Param{
	{Name: "c", Type: arm64.Float32Slice},
	{Name: "ldc", Type: arm64.Int},
	{Name: "alpha", Type: arm64.Float32},
	{Name: "beta", Type: arm64.Float32},
	{Name: "mode", Type: arm64.Int},
}

// packedKernel writes gemm8x12PackedNEON, which reads packed micro-panels:
// each k step is one LD1 of three B vectors, one LD1 of two A vectors and
// 24 FMLA, 4.8 FMLA per vector loaded.
func packedKernel(f *arm64.File) {
	params := append([]arm64.Param{
		{Name: "k", Type: arm64.Int},
		{Name: "a", Type: arm64.Float32Slice},
		{Name: "b", Type: arm64.Float32Slice},
	}, kernelParams...)
	fn := f.Func("gemm8x12PackedNEON", params...)
	fn.Doc(
		"gemm8x12PackedNEON computes the 8×12 tile C = alpha·A·B + beta·C from",
		"packed micro-panels: a holds k columns of 8 values of op(A) (k-major) and",
		"b holds k rows of 12 values of op(B). C is row-major with leading",
		"dimension ldc. mode selects the write-back: 0 writes alpha·A·B without",
		"reading C (beta = 0), 1 adds C (beta = 1), 2 adds beta·C. Each element",
		"is one FMA chain in ascending k. The caller checks that a has 8·k",
		"elements, b has 12·k and c has 7·ldc+12.",
	)
	fn.Emit(
		arm64.LoadArg(regK, fn.Arg("k")),
		arm64.LoadArg(regPA, fn.Arg("a").Base()),
		arm64.LoadArg(regPB, fn.Arg("b").Base()),
	)
	zeroAccumulators(fn)
	kLoop(fn, "", "done", func() {
		fn.Emit(
			arm64.VLD1P(regPA, regs(regA, 2)...),
			arm64.VLD1P(regPB, regs(regB, 3)...),
		)
		fmlas(fn)
	})
	writeBack(fn, "done")
}

// stridedKernel writes gemm8x12StridedNEON, which reads op(A) and op(B) in
// place. A row of B is one LD1 of three vectors with a post-increment of
// rsB bytes. A column of A is one LD1 of two vectors when rsA = 1 (op(A)
// transposed, or a packed edge panel). Otherwise it is eight single-lane
// LD1 down the column, so a k step issues 24 FMLA per 3 vector loads and
// 8 lane loads.
func stridedKernel(f *arm64.File) {
	params := append([]arm64.Param{
		{Name: "k", Type: arm64.Int},
		{Name: "a", Type: arm64.Float32Slice},
		{Name: "rsA", Type: arm64.Int},
		{Name: "csA", Type: arm64.Int},
		{Name: "b", Type: arm64.Float32Slice},
		{Name: "rsB", Type: arm64.Int},
	}, kernelParams...)
	fn := f.Func("gemm8x12StridedNEON", params...)
	fn.Doc(
		"gemm8x12StridedNEON computes the 8×12 tile C = alpha·A·B + beta·C like",
		"gemm8x12PackedNEON, but reads A[i][p] at a[i·rsA + p·csA] and the 12",
		"values of B[p] at b[p·rsB:], so that small products need not be packed.",
		"The caller checks that a has 7·rsA+(k-1)·csA+1 elements, b has",
		"(k-1)·rsB+12 and c has 7·ldc+12.",
	)
	fn.Emit(
		arm64.LoadArg(regK, fn.Arg("k")),
		arm64.LoadArg(regPA, fn.Arg("a").Base()),
		arm64.LoadArg(regRsA, fn.Arg("rsA")),
		arm64.LoadArg(regCsA, fn.Arg("csA")),
		arm64.LoadArg(regPB, fn.Arg("b").Base()),
		arm64.LoadArg(regRsB, fn.Arg("rsB")),
		arm64.LSLI(regCsA, regCsA, 2),
		arm64.LSLI(regRsB, regRsB, 2),
	)
	zeroAccumulators(fn)
	loadB := arm64.VLD1PStep(regPB, regRsB, regs(regB, 3)...)

	fn.Comment("With rsA = 1 a column of A is 8 consecutive values.")
	fn.Emit(arm64.CMPI(regRsA, 1), arm64.BCond(arm64.NE, "lanes"))
	kLoop(fn, "contiguous_", "done", func() {
		fn.Emit(arm64.VLD1PStep(regPA, regCsA, regs(regA, 2)...), loadB)
		fmlas(fn)
	})
	fn.Emit(arm64.B("done"))

	fn.Label("lanes")
	fn.Comment("Otherwise R11 walks down the column, rsA·4 bytes per row.")
	fn.Emit(arm64.LSLI(regRsA, regRsA, 2))
	kLoop(fn, "lanes_", "done", func() {
		fn.Emit(arm64.MOVD(regWalk, regPA))
		for i := range mr {
			fn.Emit(arm64.VLD1LanePStep(regWalk, regRsA, aLane(i)))
		}
		fn.Emit(arm64.ADD(regPA, regPA, regCsA), loadB)
		fmlas(fn)
	})
	writeBack(fn, "done")
}
