package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// transposeRows writes the function name, which packs 8 or 6 rows of the
// source into a k-major micro-panel: panel[p·width+i] = src[i·ld+p].
// Each iteration transposes 4 columns. Row i and row i+4 of the source
// share a YMM register as its low and high 128-bit lanes. The in-lane 4×4
// transpose of VUNPCKLPS/VUNPCKHPS and VSHUFPS then leaves column p of all 8
// rows in one register, without a lane-crossing shuffle. With 6 rows, rows
// 6 and 7 are zero, and the next store overwrites the last 2 values of each
// 8-value store. The last of the 4 stores writes exactly 6 values.
func transposeRows(name string, rows int) {
	Comment(
		"Per 4 columns: 4 loads and (rows-4) lane inserts, 8 in-lane shuffles,",
		"4 stores; the scalar packing loop it replaces stores one value at a time.",
	)
	dst := Load(Param("panel").Base(), GP64())
	base0 := Load(Param("src").Base(), GP64())
	ld := elementStride("ld")
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	base4 := GP64()
	LEAQ(Mem{Base: base0, Index: ld, Scale: 4}, base4)
	row := func(i int) Mem {
		m := Mem{Base: base0}
		if i >= 4 {
			m.Base = base4
		}
		switch i % 4 {
		case 1:
			m.Index, m.Scale = ld, 1
		case 2:
			m.Index, m.Scale = ld, 2
		case 3:
			m.Index, m.Scale = ld3, 1
		}
		return m
	}
	var width, width3 GPVirtual
	if rows == 8 {
		width = elementStride("width")
		width3 = GP64()
		LEAQ(Mem{Base: width, Index: width, Scale: 2}, width3)
	}

	blocks := Load(Param("k"), GP64())
	SHRQ(U8(2), blocks)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	var in [4]VecVirtual
	for i := range in {
		in[i] = YMM()
		VMOVUPS(row(i), in[i].AsX())
		if i+4 < rows {
			VINSERTF128(U8(1), row(i+4), in[i], in[i])
		}
	}
	pairs := [4]VecVirtual{YMM(), YMM(), YMM(), YMM()}
	VUNPCKLPS(in[1], in[0], pairs[0])
	VUNPCKHPS(in[1], in[0], pairs[1])
	VUNPCKLPS(in[3], in[2], pairs[2])
	VUNPCKHPS(in[3], in[2], pairs[3])
	var out [4]VecVirtual
	for j := range out {
		out[j] = YMM()
		low, high := pairs[j/2], pairs[j/2+2]
		// 0x44 takes elements 0, 1 of each source; 0xEE takes 2, 3.
		VSHUFPS(U8(0x44+0xAA*(j%2)), high, low, out[j])
	}
	if rows == 8 {
		VMOVUPS(out[0], Mem{Base: dst})
		VMOVUPS(out[1], Mem{Base: dst, Index: width, Scale: 1})
		VMOVUPS(out[2], Mem{Base: dst, Index: width, Scale: 2})
		VMOVUPS(out[3], Mem{Base: dst, Index: width3, Scale: 1})
		LEAQ(Mem{Base: dst, Index: width, Scale: 4}, dst)
	} else {
		for j := 0; j < 3; j++ {
			VMOVUPS(out[j], Mem{Base: dst, Disp: 4 * rows * j})
		}
		last := Mem{Base: dst, Disp: 4 * rows * 3}
		VMOVUPS(out[3].AsX(), last)
		high := XMM()
		VEXTRACTF128(U8(1), out[3], high)
		VMOVSD(high, last.Offset(16))
		ADDQ(U32(4*rows*4), dst)
	}
	ADDQ(U8(16), base0)
	ADDQ(U8(16), base4)
	DECQ(blocks)
	JNZ(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// copyRows writes the function name, which packs k rows of the source into
// a k-major micro-panel of width 6 or 16: panel[p·width+j] = src[p·ld+j].
// Each row is one 16-byte and one 8-byte move (width 6) or two 32-byte
// moves (width 16), 4 rows per iteration. The compiled Go loop that it
// replaces spills its slice headers and spends several instructions per
// value moved.
func copyRows(name string, width int) {
	dst := Load(Param("panel").Base(), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := elementStride("ld")
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	row := func(u int) Mem {
		switch u {
		case 1:
			return Mem{Base: src, Index: ld, Scale: 1}
		case 2:
			return Mem{Base: src, Index: ld, Scale: 2}
		case 3:
			return Mem{Base: src, Index: ld3, Scale: 1}
		}
		return Mem{Base: src}
	}

	blocks := Load(Param("k"), GP64())
	SHRQ(U8(2), blocks)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for u := 0; u < 4; u++ {
		out := Mem{Base: dst, Disp: 4 * width * u}
		if width == 16 {
			low, high := YMM(), YMM()
			VMOVUPS(row(u), low)
			VMOVUPS(row(u).Offset(32), high)
			VMOVUPS(low, out)
			VMOVUPS(high, out.Offset(32))
			continue
		}
		first, rest := XMM(), XMM()
		VMOVUPS(row(u), first)
		VMOVSD(row(u).Offset(16), rest)
		VMOVUPS(first, out)
		VMOVSD(rest, out.Offset(16))
	}
	LEAQ(Mem{Base: src, Index: ld, Scale: 4}, src)
	ADDQ(U32(4*width*4), dst)
	DECQ(blocks)
	JNZ(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}
