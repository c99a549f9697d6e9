package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// addBiasRows writes addBiasRowsAVX2, which adds bias to each of rows rows
// of c. Each row runs the elementwise loop with c as both input and output,
// and its masked tail keeps the stores inside the row, so the elements
// between rows (when ldc > len(bias)) are never written.
func addBiasRows() {
	TEXT("addBiasRowsAVX2", NOSPLIT, "func(c, bias []float32, rows, ldc int)")
	Pragma("noescape")
	Doc(
		"addBiasRowsAVX2 adds bias[j] to c[i*ldc+j] for i < rows and j < len(bias).",
		"The caller checks that ldc ≥ len(bias) and that c holds (rows−1)·ldc + len(bias) elements.",
	)
	row := Load(Param("c").Base(), GP64())
	bias := Load(Param("bias").Base(), GP64())
	bytes := Load(Param("bias").Len(), GP64())
	SHLQ(U8(2), bytes)
	rows := Load(Param("rows"), GP64())
	stride := Load(Param("ldc"), GP64())
	SHLQ(U8(2), stride)

	TESTQ(rows, rows)
	JZ(LabelRef("addBiasRowsAVX2_return"))
	Label("addBiasRowsAVX2_row")
	c, b, left := GP64(), GP64(), GP64()
	MOVQ(row, c)
	MOVQ(bias, b)
	MOVQ(bytes, left)
	streamLoop("addBiasRowsAVX2", c, []Register{c, b}, left, defaultUnroll, func(in []Op, out VecVirtual) {
		VADDPS(in[1], toReg(in[0]), out)
	})
	ADDQ(stride, row)
	DECQ(rows)
	JNZ(LabelRef("addBiasRowsAVX2_row"))

	Label("addBiasRowsAVX2_return")
	VZEROUPPER()
	RET()
}

// sumRowsUnroll is the number of accumulators in the main column loop of
// accumulateRowsAVX2. Each accumulator takes one dependent add per row, so
// independent chains are what lets the adds of a row overlap.
const sumRowsUnroll = 4

// accumulateRows writes accumulateRowsAVX2, which adds rows rows of a to
// dst. It walks columns in blocks of up to 32. Inside a block it adds the
// rows from first to last into accumulators held in registers, so every
// column is summed in row order, as package generic sums it, and dst is
// read and written once per block.
func accumulateRows() {
	TEXT("accumulateRowsAVX2", NOSPLIT, "func(dst, a []float32, rows, lda int)")
	Pragma("noescape")
	Doc(
		"accumulateRowsAVX2 adds a[i*lda+j] to dst[j] for j < len(dst) and i = 0, 1, … rows−1 in turn.",
		"The caller checks that lda ≥ len(dst) and that a holds (rows−1)·lda + len(dst) elements.",
	)
	dst := Load(Param("dst").Base(), GP64())
	a := Load(Param("a").Base(), GP64())
	bytes := Load(Param("dst").Len(), GP64())
	SHLQ(U8(2), bytes)
	rows := Load(Param("rows"), GP64())
	stride := Load(Param("lda"), GP64())
	SHLQ(U8(2), stride)

	offset := GP64()
	XORQ(offset, offset)
	limit := GP64()
	p := GP64()
	left := GP64()
	at := func(base Register, disp int) Mem { return Mem{Base: base, Index: offset, Scale: 1, Disp: disp} }

	// columnLoop sums blocks of width vectors while one still fits.
	columnLoop := func(label string, width int) {
		MOVQ(bytes, limit)
		SUBQ(U32(32*width), limit)
		CMPQ(offset, limit)
		JG(LabelRef(label + "_end"))
		Label(label)
		acc := make([]VecVirtual, width)
		for u := range acc {
			acc[u] = YMM()
			VMOVUPS(at(dst, 32*u), acc[u])
		}
		LEAQ(at(a, 0), p)
		MOVQ(rows, left)
		TESTQ(left, left)
		JZ(LabelRef(label + "_store"))
		Label(label + "_row")
		for u := range acc {
			VADDPS(Mem{Base: p, Disp: 32 * u}, acc[u], acc[u])
		}
		ADDQ(stride, p)
		DECQ(left)
		JNZ(LabelRef(label + "_row"))
		Label(label + "_store")
		for u := range acc {
			VMOVUPS(acc[u], at(dst, 32*u))
		}
		ADDQ(U32(32*width), offset)
		CMPQ(offset, limit)
		JLE(LabelRef(label))
		Label(label + "_end")
	}
	columnLoop("accumulateRowsAVX2_wide", sumRowsUnroll)
	columnLoop("accumulateRowsAVX2_single", 1)

	Comment("Fewer than 8 columns remain: the mask for r of them starts at tailmask[8-r].")
	remaining := GP64()
	MOVQ(bytes, remaining)
	SUBQ(offset, remaining)
	JZ(LabelRef("accumulateRowsAVX2_return"))
	table := GP64()
	LEAQ(tailMasks.Offset(4*lanes), table)
	SUBQ(remaining, table)
	mask := YMM()
	VMOVDQU(Mem{Base: table}, mask)
	acc := YMM()
	VMASKMOVPS(at(dst, 0), mask, acc)
	LEAQ(at(a, 0), p)
	MOVQ(rows, left)
	TESTQ(left, left)
	JZ(LabelRef("accumulateRowsAVX2_tail_store"))
	Label("accumulateRowsAVX2_tail_row")
	v := YMM()
	VMASKMOVPS(Mem{Base: p}, mask, v)
	VADDPS(v, acc, acc)
	ADDQ(stride, p)
	DECQ(left)
	JNZ(LabelRef("accumulateRowsAVX2_tail_row"))
	Label("accumulateRowsAVX2_tail_store")
	VMASKMOVPS(acc, mask, at(dst, 0))

	Label("accumulateRowsAVX2_return")
	VZEROUPPER()
	RET()
}
