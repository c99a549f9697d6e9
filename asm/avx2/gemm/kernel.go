package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The register tile is mr×nr = 6×16 float32. A row of 16 columns is two YMM
// vectors, so the tile needs 12 accumulators. With the two vectors of the
// current row of B and two registers for broadcasts of A, that is all 16 YMM
// registers. Each k step issues 2 loads of B, 6 broadcast loads of A and 12
// FMAs, so 8 loads per 12 FMAs stay under the 2 loads per cycle that feed 2
// FMA pipes. The 12 independent accumulator chains keep both pipes busy
// while the FMA latency is at most 6 cycles. An 8×16 tile would need 16
// accumulators. A 4×24 tile also fits, with 7 loads per 12 FMAs, but leaves
// edge tiles on layer widths such as 512 and 784, which are multiples of 16
// and not of 24.
const (
	mr     = 6
	nr     = 16
	lanes  = 8 // float32 values in a YMM register
	unroll = 4 // k steps per iteration of the main loop
)

// Values of the mode parameter; kernels/gemm_driver.go defines the same.
const (
	modeOverwrite  = 0 // C = alpha·A·B, C not read
	modeAccumulate = 1 // C = alpha·A·B + C
	modeScale      = 2 // C = alpha·A·B + beta·C
)

// accumulators[i] holds row i of the tile: columns 0–7 and 8–15.
var accumulators = [mr][2]VecPhysical{
	{Y0, Y1}, {Y2, Y3}, {Y4, Y5}, {Y6, Y7}, {Y8, Y9}, {Y10, Y11},
}

// bRow holds the 16 values of op(B) for the current k; after the loop the
// same registers hold alpha and beta.
var bRow = [2]VecPhysical{Y12, Y13}

// aBroadcast alternates between two registers, so that the broadcast for the
// next row can issue while the FMAs of the previous row still read theirs.
var aBroadcast = [2]VecPhysical{Y14, Y15}

// operands is the addressing of a kernel's inputs: packed micro-panels or
// strided matrices.
type operands interface {
	// load reads the pointers and strides from the arguments.
	load()
	// a returns the address of A[i][p+u] in step u of an unrolled block
	// that starts at k = p.
	a(i, u int) Mem
	// b returns the address of the 8 values B[p+u][8·half : 8·half+8].
	b(u, half int) Mem
	// step is emitted after k step u of an unrolled block.
	step(u int)
	// advance is emitted after a block of steps k steps.
	advance(steps int)
	// prefetch is emitted once per unrolled block.
	prefetch()
}

// packedOperands reads micro-panels laid out k-major: 6 values of A and 16
// of B per k, so every address in an unrolled block is a constant offset.
type packedOperands struct {
	pa, pb GPVirtual
}

func newPackedOperands() *packedOperands { return &packedOperands{} }

func (o *packedOperands) load() {
	o.pa = Load(Param("a").Base(), GP64()).(GPVirtual)
	o.pb = Load(Param("b").Base(), GP64()).(GPVirtual)
}

func (o *packedOperands) a(i, u int) Mem { return Mem{Base: o.pa, Disp: 4 * (u*mr + i)} }

func (o *packedOperands) b(u, half int) Mem {
	return Mem{Base: o.pb, Disp: 4 * (u*nr + half*lanes)}
}

func (o *packedOperands) step(int) {}

// prefetch loads the A micro-panel 32 k steps ahead (about 200 cycles of
// FMAs) into L1, because the panel streams from L2 while the B micro-panel
// stays in L1. Two lines per block of 4 steps (96 bytes) keep ahead of the
// stream. Past the end of a panel they fetch the start of the next one, and
// a prefetch never faults.
func (o *packedOperands) prefetch() {
	const distance = 4 * mr * 32
	PREFETCHT0(Mem{Base: o.pa, Disp: distance})
	PREFETCHT0(Mem{Base: o.pa, Disp: distance + 64})
}

func (o *packedOperands) advance(steps int) {
	ADDQ(U32(4*mr*steps), o.pa)
	ADDQ(U32(4*nr*steps), o.pb)
}

// stridedOperands reads A[i][p] at a + i·rsA + p·csA and row p of B at
// b + p·rsB. Rows 0–2 of A are addressed from one base register and rows
// 3–5 from another, each with rsA as a scaled index (×1, ×2), so six rows
// cost two pointer increments per k step.
type stridedOperands struct {
	a0, a3, rsA, csA, pb, rsB GPVirtual
}

func newStridedOperands() *stridedOperands { return &stridedOperands{} }

func (o *stridedOperands) load() {
	o.a0 = Load(Param("a").Base(), GP64()).(GPVirtual)
	o.rsA = elementStride("rsA")
	o.csA = elementStride("csA")
	o.a3 = GP64()
	LEAQ(Mem{Base: o.a0, Index: o.rsA, Scale: 2}, o.a3)
	ADDQ(o.rsA, o.a3)
	o.pb = Load(Param("b").Base(), GP64()).(GPVirtual)
	o.rsB = elementStride("rsB")
}

func (o *stridedOperands) a(i, _ int) Mem {
	return rowAddress(o.a0, o.a3, o.rsA, i)
}

func (o *stridedOperands) b(_, half int) Mem { return Mem{Base: o.pb, Disp: 4 * half * lanes} }

func (o *stridedOperands) step(int) {
	ADDQ(o.csA, o.a0)
	ADDQ(o.csA, o.a3)
	ADDQ(o.rsB, o.pb)
}

func (o *stridedOperands) advance(int) {}

// prefetch does nothing: strided operands are small products whose A rows
// the hardware prefetcher follows.
func (o *stridedOperands) prefetch() {}

// elementStride loads the int parameter called name and converts it from
// elements to bytes.
func elementStride(name string) GPVirtual {
	r := Load(Param(name), GP64()).(GPVirtual)
	SHLQ(U8(2), r)
	return r
}

// rowAddress returns the address of row i < 6 of a matrix whose rows are
// stride bytes apart, given base0 at row 0 and base3 at row 3.
func rowAddress(base0, base3, stride GPVirtual, i int) Mem {
	base := base0
	if i >= 3 {
		base = base3
	}
	m := Mem{Base: base}
	if s := i % 3; s > 0 {
		m.Index = stride
		m.Scale = uint8(s)
	}
	return m
}

// microkernel writes the body of the function name: zero the accumulators,
// run k steps (unrolled by 4, then one at a time), then write the tile back
// to C in the requested mode.
func microkernel(name string, ops operands) {
	Comment(
		"Tile shape: 6 rows × 16 columns of C, two YMM vectors per row. Each k",
		"step loads 16 values of B, broadcasts 6 values of A and issues 12 FMAs,",
		"so 8 loads feed 12 FMAs and 12 independent chains hide the FMA latency.",
		"Register budget: Y0–Y11 accumulate the tile (row i in Y(2i), Y(2i+1)),",
		"Y12 and Y13 hold the row of B for the current k, and Y14 and Y15 take",
		"alternate broadcasts of A. After the loop Y12 and Y13 hold alpha and beta.",
	)
	ops.load()
	c := loadTileAddress()
	Comment(
		"Prefetch the tile of C, which the write-back reads or overwrites after",
		"the k loop. Its rows are often not in cache, and the loop hides the",
		"latency of bringing them in. Offsets 0 and 63 cover both cache lines",
		"of a 64-byte row that is not 64-byte aligned.",
	)
	for i := 0; i < mr; i++ {
		PREFETCHT0(c.row(i))
		PREFETCHT0(c.row(i).Offset(4*nr - 1))
	}
	for _, row := range accumulators {
		for _, acc := range row {
			VXORPS(acc, acc, acc)
		}
	}

	blocks := Load(Param("k"), GP64())
	SHRQ(U8(2), blocks)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_unrolled")
	for u := 0; u < unroll; u++ {
		kStep(ops, u)
		ops.step(u)
	}
	ops.prefetch()
	ops.advance(unroll)
	DECQ(blocks)
	JNZ(LabelRef(name + "_unrolled"))

	Label(name + "_tail")
	Comment("The k mod 4 remaining steps, one at a time.")
	rest := Load(Param("k"), GP64())
	ANDQ(U32(unroll-1), rest)
	JZ(LabelRef(name + "_store"))
	Label(name + "_single")
	kStep(ops, 0)
	ops.step(0)
	ops.advance(1)
	DECQ(rest)
	JNZ(LabelRef(name + "_single"))

	Label(name + "_store")
	writeBack(name, c)
}

// tileAddress addresses the rows of the C tile.
type tileAddress struct {
	c0, c3, ldc GPVirtual // rows 0 and 3, and the row stride in bytes
}

func loadTileAddress() tileAddress {
	var t tileAddress
	t.c0 = Load(Param("c").Base(), GP64()).(GPVirtual)
	t.ldc = elementStride("ldc")
	t.c3 = GP64()
	LEAQ(Mem{Base: t.c0, Index: t.ldc, Scale: 2}, t.c3)
	ADDQ(t.ldc, t.c3)
	return t
}

// row returns the address of C[i][0].
func (t tileAddress) row(i int) Mem { return rowAddress(t.c0, t.c3, t.ldc, i) }

// kStep emits one rank-1 update of the tile: tile += A[:, p+u] · B[p+u, :].
func kStep(ops operands, u int) {
	VMOVUPS(ops.b(u, 0), bRow[0])
	VMOVUPS(ops.b(u, 1), bRow[1])
	for i, row := range accumulators {
		t := aBroadcast[i%2]
		VBROADCASTSS(ops.a(i, u), t)
		VFMADD231PS(bRow[0], t, row[0])
		VFMADD231PS(bRow[1], t, row[1])
	}
}

// writeBack scales the accumulators by alpha in registers and stores them
// to C in the mode that the mode parameter selects.
func writeBack(name string, c tileAddress) {
	cVector := func(i, half int) Mem { return c.row(i).Offset(4 * half * lanes) }
	alpha, beta := bRow[0], bRow[1]
	VBROADCASTSS(paramAddr("alpha"), alpha)
	mode := Load(Param("mode"), GP64())
	CMPQ(mode, U8(modeAccumulate))
	JE(LabelRef(name + "_accumulate"))
	JA(LabelRef(name + "_scale"))

	Comment("beta = 0: C = alpha·A·B, without reading C.")
	for i, row := range accumulators {
		for half, acc := range row {
			VMULPS(alpha, acc, acc)
			VMOVUPS(acc, cVector(i, half))
		}
	}
	JMP(LabelRef(name + "_done"))

	Label(name + "_accumulate")
	Comment("beta = 1: C = alpha·A·B + C, one FMA per vector.")
	for i, row := range accumulators {
		for half, acc := range row {
			VFMADD213PS(cVector(i, half), alpha, acc)
			VMOVUPS(acc, cVector(i, half))
		}
	}
	JMP(LabelRef(name + "_done"))

	Label(name + "_scale")
	Comment("Any other beta: C = alpha·A·B + beta·C.")
	VBROADCASTSS(paramAddr("beta"), beta)
	for i, row := range accumulators {
		for half, acc := range row {
			VMULPS(alpha, acc, acc)
			VFMADD231PS(cVector(i, half), beta, acc)
			VMOVUPS(acc, cVector(i, half))
		}
	}

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// paramAddr returns the stack address of the scalar parameter called name.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(fmt.Sprintf("parameter %s: %v", name, err))
	}
	return b.Addr
}
