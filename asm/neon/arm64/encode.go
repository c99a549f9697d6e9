package arm64

import "fmt"

// This file encodes the Advanced SIMD instructions that Go's arm64
// assembler lacks. Each group below is one encoding class of the Arm A64
// instruction set. Within a class the instructions differ only in the U
// bit (bit 29), the bit above the size field (bit 23, called a here) and
// an opcode field. The tests check every encoding against GNU as.

// fpArrangements are the arrangements of vector floating-point
// instructions: float32 in a 64- or 128-bit register, float64 in a 128-bit
// one.
var fpArrangements = []Arrangement{S2, S4, D2}

// intArrangements are the arrangements of integer instructions that take
// every lane size.
var intArrangements = []Arrangement{B8, B16, H4, H8, S2, S4, D2}

// byteArrangements are the arrangements of bitwise instructions.
var byteArrangements = []Arrangement{B8, B16}

// fpSize returns the sz bit: 0 for float32 lanes, 1 for float64.
func fpSize(a Arrangement) uint32 { return arrangements[a].size - 2 }

func q(a Arrangement) uint32 { return arrangements[a].q }

// fpThreeSame returns the encoder of a floating-point instruction of the
// class "three same": d = n op m lane by lane.
func fpThreeSame(mnemonic string, u, a, opcode uint32) func(d, n, m Vector) Inst {
	return func(d, n, m Vector) Inst {
		arr := sameArrangement(d, n, m)
		allowed(mnemonic, arr, fpArrangements...)
		bits := 0x0e200400 | q(arr)<<30 | u<<29 | a<<23 | fpSize(arr)<<22 |
			uint32(m.Reg)<<16 | opcode<<11 | uint32(n.Reg)<<5 | uint32(d.Reg)
		return encoded(bits, "%s %s, %s, %s", mnemonic, d.gnu(), n.gnu(), m.gnu())
	}
}

// Floating-point three-register instructions on S2, S4 or D2 operands.
// FMLA and FMLS of this class are in Go's assembler: see VFMLA and VFMLS.
var (
	FADD    = fpThreeSame("fadd", 0, 0, 0x1a)    // d = n + m
	FSUB    = fpThreeSame("fsub", 0, 1, 0x1a)    // d = n − m
	FMUL    = fpThreeSame("fmul", 1, 0, 0x1b)    // d = n·m
	FDIV    = fpThreeSame("fdiv", 1, 0, 0x1f)    // d = n/m
	FMAX    = fpThreeSame("fmax", 0, 0, 0x1e)    // d = max(n, m), NaN if either is NaN
	FMIN    = fpThreeSame("fmin", 0, 1, 0x1e)    // d = min(n, m), NaN if either is NaN
	FMAXNM  = fpThreeSame("fmaxnm", 0, 0, 0x18)  // d = max(n, m), the number if one is a quiet NaN
	FMINNM  = fpThreeSame("fminnm", 0, 1, 0x18)  // d = min(n, m), the number if one is a quiet NaN
	FMULX   = fpThreeSame("fmulx", 0, 0, 0x1b)   // d = n·m, with 0·Inf = ±2
	FABD    = fpThreeSame("fabd", 1, 1, 0x1a)    // d = |n − m|
	FCMEQ   = fpThreeSame("fcmeq", 0, 0, 0x1c)   // d = all ones where n = m, else zero
	FCMGE   = fpThreeSame("fcmge", 1, 0, 0x1c)   // d = all ones where n ≥ m, else zero
	FCMGT   = fpThreeSame("fcmgt", 1, 1, 0x1c)   // d = all ones where n > m, else zero
	FACGE   = fpThreeSame("facge", 1, 0, 0x1d)   // d = all ones where |n| ≥ |m|, else zero
	FACGT   = fpThreeSame("facgt", 1, 1, 0x1d)   // d = all ones where |n| > |m|, else zero
	FADDP   = fpThreeSame("faddp", 1, 0, 0x1a)   // d = sums of adjacent pairs of n, then of m
	FMAXP   = fpThreeSame("fmaxp", 1, 0, 0x1e)   // d = maxima of adjacent pairs of n, then of m
	FMINP   = fpThreeSame("fminp", 1, 1, 0x1e)   // d = minima of adjacent pairs of n, then of m
	FRECPS  = fpThreeSame("frecps", 0, 0, 0x1f)  // d = 2 − n·m, a Newton step for 1/x
	FRSQRTS = fpThreeSame("frsqrts", 0, 1, 0x1f) // d = (3 − n·m)/2, a Newton step for 1/√x
)

// fpTwoReg returns the encoder of a floating-point instruction of the class
// "two-register miscellaneous": d = op(n) lane by lane. zero appends the
// #0.0 operand of the compares with zero.
func fpTwoReg(mnemonic string, u, a, opcode uint32, zero bool) func(d, n Vector) Inst {
	return func(d, n Vector) Inst {
		arr := sameArrangement(d, n)
		allowed(mnemonic, arr, fpArrangements...)
		bits := 0x0e200800 | q(arr)<<30 | u<<29 | a<<23 | fpSize(arr)<<22 |
			opcode<<12 | uint32(n.Reg)<<5 | uint32(d.Reg)
		text := fmt.Sprintf("%s %s, %s", mnemonic, d.gnu(), n.gnu())
		if zero {
			text += ", #0.0"
		}
		return encoded(bits, "%s", text)
	}
}

// Floating-point one-operand instructions on S2, S4 or D2 operands. The
// conversions read and write integers of the lane width.
var (
	FABS    = fpTwoReg("fabs", 0, 1, 0x0f, false)    // d = |n|
	FNEG    = fpTwoReg("fneg", 1, 1, 0x0f, false)    // d = −n
	FSQRT   = fpTwoReg("fsqrt", 1, 1, 0x1f, false)   // d = √n
	FRINTN  = fpTwoReg("frintn", 0, 0, 0x18, false)  // round to integral, nearest with ties to even
	FRINTM  = fpTwoReg("frintm", 0, 0, 0x19, false)  // round to integral, toward −∞
	FRINTP  = fpTwoReg("frintp", 0, 1, 0x18, false)  // round to integral, toward +∞
	FRINTZ  = fpTwoReg("frintz", 0, 1, 0x19, false)  // round to integral, toward zero
	FRINTA  = fpTwoReg("frinta", 1, 0, 0x18, false)  // round to integral, nearest with ties away from zero
	FRINTX  = fpTwoReg("frintx", 1, 0, 0x19, false)  // round to integral in the FPCR mode, signalling inexact
	FRINTI  = fpTwoReg("frinti", 1, 1, 0x19, false)  // round to integral in the FPCR mode
	FCVTNS  = fpTwoReg("fcvtns", 0, 0, 0x1a, false)  // to signed integer, nearest with ties to even
	FCVTMS  = fpTwoReg("fcvtms", 0, 0, 0x1b, false)  // to signed integer, toward −∞
	FCVTAS  = fpTwoReg("fcvtas", 0, 0, 0x1c, false)  // to signed integer, nearest with ties away
	FCVTPS  = fpTwoReg("fcvtps", 0, 1, 0x1a, false)  // to signed integer, toward +∞
	FCVTZS  = fpTwoReg("fcvtzs", 0, 1, 0x1b, false)  // to signed integer, toward zero; NaN gives 0
	FCVTNU  = fpTwoReg("fcvtnu", 1, 0, 0x1a, false)  // to unsigned integer, nearest with ties to even
	FCVTMU  = fpTwoReg("fcvtmu", 1, 0, 0x1b, false)  // to unsigned integer, toward −∞
	FCVTAU  = fpTwoReg("fcvtau", 1, 0, 0x1c, false)  // to unsigned integer, nearest with ties away
	FCVTPU  = fpTwoReg("fcvtpu", 1, 1, 0x1a, false)  // to unsigned integer, toward +∞
	FCVTZU  = fpTwoReg("fcvtzu", 1, 1, 0x1b, false)  // to unsigned integer, toward zero
	SCVTF   = fpTwoReg("scvtf", 0, 0, 0x1d, false)   // signed integer to floating point
	UCVTF   = fpTwoReg("ucvtf", 1, 0, 0x1d, false)   // unsigned integer to floating point
	FRECPE  = fpTwoReg("frecpe", 0, 1, 0x1d, false)  // estimate of 1/n, about 8 bits
	FRSQRTE = fpTwoReg("frsqrte", 1, 1, 0x1d, false) // estimate of 1/√n, about 8 bits

	// The compares with zero set a lane to all ones when the condition
	// holds and to zero otherwise. Every compare is false for NaN, and −0
	// compares equal to +0.
	FCMGTZ = fpTwoReg("fcmgt", 0, 1, 0x0c, true) // n > 0
	FCMEQZ = fpTwoReg("fcmeq", 0, 1, 0x0d, true) // n = 0
	FCMLTZ = fpTwoReg("fcmlt", 0, 1, 0x0e, true) // n < 0
	FCMGEZ = fpTwoReg("fcmge", 1, 1, 0x0c, true) // n ≥ 0
	FCMLEZ = fpTwoReg("fcmle", 1, 1, 0x0d, true) // n ≤ 0
)

// intTwoReg returns the encoder of an integer instruction of the class
// "two-register miscellaneous". zero appends the #0 operand of the
// compares with zero; only lists the arrangements it takes.
func intTwoReg(mnemonic string, u, opcode uint32, zero bool, only ...Arrangement) func(d, n Vector) Inst {
	if len(only) == 0 {
		only = intArrangements
	}
	return func(d, n Vector) Inst {
		arr := sameArrangement(d, n)
		allowed(mnemonic, arr, only...)
		bits := 0x0e200800 | q(arr)<<30 | u<<29 | arrangements[arr].size<<22 |
			opcode<<12 | uint32(n.Reg)<<5 | uint32(d.Reg)
		text := fmt.Sprintf("%s %s, %s", mnemonic, d.gnu(), n.gnu())
		if zero {
			text += ", #0"
		}
		return encoded(bits, "%s", text)
	}
}

// Integer one-operand instructions. The compares with zero are signed and
// set a lane to all ones when the condition holds, so CMLTZ turns each
// lane's sign bit into a mask.
var (
	CMGTZ = intTwoReg("cmgt", 0, 0x08, true) // n > 0
	CMEQZ = intTwoReg("cmeq", 0, 0x09, true) // n = 0
	CMLTZ = intTwoReg("cmlt", 0, 0x0a, true) // n < 0
	CMGEZ = intTwoReg("cmge", 1, 0x08, true) // n ≥ 0
	CMLEZ = intTwoReg("cmle", 1, 0x09, true) // n ≤ 0
	ABS   = intTwoReg("abs", 0, 0x0b, false) // d = |n|
	NEG   = intTwoReg("neg", 1, 0x0b, false) // d = −n

	// MVN is the bitwise NOT of n (also spelt not), the B8 or B16 form
	// of the class whose size field is 0.
	MVN = intTwoReg("mvn", 1, 0x05, false, byteArrangements...)
)

// intThreeSame returns the encoder of an integer instruction of the class
// "three same"; only lists the arrangements it takes.
func intThreeSame(mnemonic string, u, opcode uint32, only ...Arrangement) func(d, n, m Vector) Inst {
	if len(only) == 0 {
		only = intArrangements
	}
	return func(d, n, m Vector) Inst {
		arr := sameArrangement(d, n, m)
		allowed(mnemonic, arr, only...)
		bits := 0x0e200400 | q(arr)<<30 | u<<29 | arrangements[arr].size<<22 |
			uint32(m.Reg)<<16 | opcode<<11 | uint32(n.Reg)<<5 | uint32(d.Reg)
		return encoded(bits, "%s %s, %s, %s", mnemonic, d.gnu(), n.gnu(), m.gnu())
	}
}

// Integer three-register instructions that Go's assembler lacks (it has
// VADD, VSUB, VCMEQ, VUMAX and VUMIN). The compares set a lane to all ones
// when the condition holds.
var (
	CMGT = intThreeSame("cmgt", 0, 0x06)                          // signed n > m
	CMGE = intThreeSame("cmge", 0, 0x07)                          // signed n ≥ m
	CMHI = intThreeSame("cmhi", 1, 0x06)                          // unsigned n > m
	CMHS = intThreeSame("cmhs", 1, 0x07)                          // unsigned n ≥ m
	SSHL = intThreeSame("sshl", 0, 0x08)                          // d = n shifted by the signed count in m, arithmetic
	USHL = intThreeSame("ushl", 1, 0x08)                          // d = n shifted by the signed count in m, logical
	SMAX = intThreeSame("smax", 0, 0x0c, B8, B16, H4, H8, S2, S4) // signed maximum
	SMIN = intThreeSame("smin", 0, 0x0d, B8, B16, H4, H8, S2, S4) // signed minimum
	MUL  = intThreeSame("mul", 0, 0x13, B8, B16, H4, H8, S2, S4)  // d = n·m, low half of each product
)

// logic returns the encoder of a bitwise instruction of the class "three
// same", whose size field selects the operation.
func logic(mnemonic string, u, size uint32) func(d, n, m Vector) Inst {
	return func(d, n, m Vector) Inst {
		arr := sameArrangement(d, n, m)
		allowed(mnemonic, arr, byteArrangements...)
		bits := 0x0e201c00 | q(arr)<<30 | u<<29 | size<<22 |
			uint32(m.Reg)<<16 | uint32(n.Reg)<<5 | uint32(d.Reg)
		return encoded(bits, "%s %s, %s, %s", mnemonic, d.gnu(), n.gnu(), m.gnu())
	}
}

// Bitwise instructions that Go's assembler lacks (it has VAND, VORR, VEOR,
// VBSL, VBIT and VBIF).
var (
	BIC = logic("bic", 0, 1) // d = n AND NOT m
	ORN = logic("orn", 0, 3) // d = n OR NOT m
)

// fpByElement returns the encoder of a floating-point instruction of the
// class "vector × indexed element": d = n op e, with the one lane e
// broadcast. The lane size of e must match d and n; float32 lanes may come
// from any of V0–V31.
func fpByElement(mnemonic string, u, opcode uint32) func(d, n Vector, e Element) Inst {
	return func(d, n Vector, e Element) Inst {
		arr := sameArrangement(d, n)
		allowed(mnemonic, arr, fpArrangements...)
		e.check()
		if e.Arrangement.LaneBits() != arr.LaneBits() {
			panic(fmt.Sprintf("arm64: %s of %s lanes by a %d-bit element", mnemonic, arr, e.Arrangement.LaneBits()))
		}
		// The index is H:L for 32-bit lanes and H for 64-bit ones.
		index := uint32(e.Index)
		var h, l uint32
		if arr.LaneBits() == 32 {
			h, l = index>>1, index&1
		} else {
			h = index
		}
		bits := 0x0f800000 | q(arr)<<30 | u<<29 | fpSize(arr)<<22 | l<<21 | uint32(e.Reg)<<16 |
			opcode<<12 | h<<11 | uint32(n.Reg)<<5 | uint32(d.Reg)
		return encoded(bits, "%s %s, %s, %s", mnemonic, d.gnu(), n.gnu(), e.gnu())
	}
}

// Floating-point instructions by element, on S2, S4 or D2 operands. With
// them one register can hold four float32 constants.
var (
	FMLAE  = fpByElement("fmla", 0, 0x1)  // d = d + n·e, rounded once
	FMLSE  = fpByElement("fmls", 0, 0x5)  // d = d − n·e, rounded once
	FMULE  = fpByElement("fmul", 0, 0x9)  // d = n·e
	FMULXE = fpByElement("fmulx", 1, 0x9) // d = n·e, with 0·Inf = ±2
)

// shiftRight returns the encoder of an instruction of the class "shift by
// immediate" that shifts right by 1 to the lane width.
func shiftRight(mnemonic string, u, opcode uint32) func(d, n Vector, shift int) Inst {
	return func(d, n Vector, shift int) Inst {
		arr := sameArrangement(d, n)
		allowed(mnemonic, arr, intArrangements...)
		width := arr.LaneBits()
		if shift < 1 || shift > width {
			panic(fmt.Sprintf("arm64: %s by %d of %d-bit lanes", mnemonic, shift, width))
		}
		// immh:immb holds 2·width − shift; the position of its leading
		// one gives the lane width.
		imm := uint32(2*width - shift)
		bits := 0x0f000400 | q(arr)<<30 | u<<29 | imm<<16 | opcode<<11 | uint32(n.Reg)<<5 | uint32(d.Reg)
		return encoded(bits, "%s %s, %s, #%d", mnemonic, d.gnu(), n.gnu(), shift)
	}
}

// Right shifts by an immediate that Go's assembler lacks (it has VUSHR,
// VUSRA, VSRI, VSHL and VSLI).
var (
	SSHR  = shiftRight("sshr", 0, 0x00)  // d = n >> shift, arithmetic
	SSRA  = shiftRight("ssra", 0, 0x02)  // d = d + (n >> shift), arithmetic
	SRSHR = shiftRight("srshr", 0, 0x04) // d = n >> shift, arithmetic and rounded
	URSHR = shiftRight("urshr", 1, 0x04) // d = n >> shift, logical and rounded
	SRSRA = shiftRight("srsra", 0, 0x06) // d = d + (n >> shift), arithmetic and rounded
	URSRA = shiftRight("ursra", 1, 0x06) // d = d + (n >> shift), logical and rounded
)
