package main

import (
	"fmt"

	"github.com/simdgrad/simdgrad/asm/neon/arm64"
)

// addBiasRows writes addBiasRowsNEON, which adds bias to rows rows of c.
// Each row runs the elementwise loops with c as both input and output; the
// scalar tail keeps every store inside the row, so the elements between
// rows (when ldc > len(bias)) are never written.
func addBiasRows(f *arm64.File) {
	fn := f.Func("addBiasRowsNEON",
		arm64.Param{Name: "c", Type: arm64.Float32Slice}, arm64.Param{Name: "bias", Type: arm64.Float32Slice},
		arm64.Param{Name: "rows", Type: arm64.Int}, arm64.Param{Name: "ldc", Type: arm64.Int})
	fn.Doc(
		"addBiasRowsNEON adds bias[j] to c[i*ldc+j] for i < rows and j < len(bias).",
		"The caller checks that ldc ≥ len(bias) and that c holds (rows−1)·ldc + len(bias) elements.",
	)
	// R0 is the start of the current row and R4 the row stride in bytes.
	// The loops walk the row with R5 (stores) and R6 (loads), the bias with
	// R7, and count its elements down in R8.
	row, bias, n, rows, stride := arm64.R0, arm64.R1, arm64.R2, arm64.R3, arm64.R4
	out, in, biasAt, count := arm64.R5, arm64.R6, arm64.R7, arm64.R8
	fn.Emit(
		arm64.LoadArg(row, fn.Arg("c").Base()),
		arm64.LoadArg(bias, fn.Arg("bias").Base()),
		arm64.LoadArg(n, fn.Arg("bias").Len()),
		arm64.LoadArg(rows, fn.Arg("rows")),
		arm64.LoadArg(stride, fn.Arg("ldc")),
		arm64.LSLI(stride, stride, 2),
		arm64.CBZ(rows, "return"),
	)

	fn.Label("row")
	fn.Emit(arm64.MOVD(out, row), arm64.MOVD(in, row), arm64.MOVD(biasAt, bias), arm64.MOVD(count, n))
	stream(fn, "", out, []arm64.Reg{in, biasAt}, count, defaultUnroll, pool{}, func(b *block, v []value) value {
		b.fadd(v[0], v[0], v[1])
		return v[0]
	})
	fn.Emit(arm64.ADD(row, row, stride), arm64.SUBSI(rows, rows, 1), arm64.BCond(arm64.NE, "row"))

	fn.Label("return")
	fn.Emit(arm64.RET())
}

// sumRowsWidth is the number of vectors (of 4 columns) that the main
// column loop of accumulateRowsNEON keeps in accumulators. Eight chains of
// one FADD per row should cover FADD's latency on cores that issue two per
// cycle, an estimate like defaultUnroll.
const sumRowsWidth = 8

// accumulateRows writes accumulateRowsNEON, which adds rows rows of a to
// dst. It walks the columns in blocks and, inside a block, adds the rows
// from first to last into accumulators held in registers. So every column
// is summed in row order, as package generic sums it, and dst is read and
// written once per block.
func accumulateRows(f *arm64.File) {
	fn := f.Func("accumulateRowsNEON",
		arm64.Param{Name: "dst", Type: arm64.Float32Slice}, arm64.Param{Name: "a", Type: arm64.Float32Slice},
		arm64.Param{Name: "rows", Type: arm64.Int}, arm64.Param{Name: "lda", Type: arm64.Int})
	fn.Doc(
		"accumulateRowsNEON adds a[i*lda+j] to dst[j] for j < len(dst) and i = 0, 1, … rows−1 in turn.",
		"The caller checks that lda ≥ len(dst) and that a holds (rows−1)·lda + len(dst) elements.",
	)
	// R0 walks dst and R1 the top of the current column block of a; R2
	// counts the columns left and R4 is the row stride in bytes. Inside a
	// block, R5 addresses the second half of the accumulators in dst, R6
	// and R7 walk down the rows of the block's two halves, and R8 counts
	// the rows.
	dst, top, n, rows, stride := arm64.R0, arm64.R1, arm64.R2, arm64.R3, arm64.R4
	dstHalf, down0, down1, rowsLeft := arm64.R5, arm64.R6, arm64.R7, arm64.R8
	fn.Emit(
		arm64.LoadArg(dst, fn.Arg("dst").Base()),
		arm64.LoadArg(top, fn.Arg("a").Base()),
		arm64.LoadArg(n, fn.Arg("dst").Len()),
		arm64.LoadArg(rows, fn.Arg("rows")),
		arm64.LoadArg(stride, fn.Arg("lda")),
		arm64.LSLI(stride, stride, 2),
		arm64.CBZ(rows, "return"),
	)

	// columnBlocks sums blocks of width vectors while one still fits;
	// width is 4 or 8, loaded as one or two lists of four registers.
	columnBlocks := func(label string, width int) {
		var regs pool
		acc := regs.take(width)
		row := regs.take(width)
		columns := width * lanes
		registers := fmt.Sprintf("%d accumulator registers", width)
		if width == 1 {
			registers = "one accumulator register"
		}
		fn.Comment(fmt.Sprintf("Blocks of %d columns, summed in %s of 4 lanes.", columns, registers))
		fn.Emit(arm64.SUBSI(n, n, columns), arm64.BCond(arm64.LT, label+"_end"))
		fn.Label(label)
		accLists, rowLists := chunks(acc), chunks(row)
		walkers := []arm64.Reg{down0, down1}
		fn.Emit(arm64.VLD1(dst, accLists[0]...), arm64.MOVD(down0, top))
		if len(accLists) > 1 {
			fn.Emit(arm64.ADDI(dstHalf, dst, 64), arm64.VLD1(dstHalf, accLists[1]...), arm64.ADDI(down1, top, 64))
		}
		fn.Emit(arm64.MOVD(rowsLeft, rows))
		fn.Label(label + "_row")
		for i, list := range rowLists {
			fn.Emit(arm64.VLD1PStep(walkers[i], stride, list...))
		}
		b := &block{fn: fn, width: width, regs: &regs}
		b.fadd(acc, acc, row)
		fn.Emit(arm64.SUBSI(rowsLeft, rowsLeft, 1), arm64.BCond(arm64.NE, label+"_row"))
		for _, list := range accLists {
			fn.Emit(arm64.VST1P(dst, list...))
		}
		fn.Emit(arm64.ADDI(top, top, 4*columns),
			arm64.SUBSI(n, n, columns), arm64.BCond(arm64.GE, label))
		fn.Label(label + "_end")
		fn.Emit(arm64.ADDI(n, n, columns))
	}
	columnBlocks("wide", sumRowsWidth)
	columnBlocks("narrow", 1)

	fn.Comment("Fewer than 4 columns remain: one at a time, in lane 0.")
	acc, v := arm64.V0, arm64.V1
	fn.Emit(arm64.CBZ(n, "return"))
	fn.Label("column")
	fn.Emit(arm64.FMOVSLoad(acc, dst), arm64.MOVD(down0, top), arm64.MOVD(rowsLeft, rows))
	fn.Label("column_row")
	fn.Emit(
		arm64.VLD1LanePStep(down0, stride, v.S(0)),
		arm64.FADD(acc.S4(), acc.S4(), v.S4()),
		arm64.SUBSI(rowsLeft, rowsLeft, 1), arm64.BCond(arm64.NE, "column_row"),
		arm64.FMOVSStoreP(dst, acc),
		arm64.ADDI(top, top, 4),
		arm64.SUBSI(n, n, 1), arm64.BCond(arm64.NE, "column"),
	)
	fn.Label("return")
	fn.Emit(arm64.RET())
}
