package arm64

import (
	"fmt"
	"strings"
)

// This file builds the instructions that Go's arm64 assembler supports. Go
// writes the destination last, so the three-register forms print their
// operands as m, n, d.

// list returns a register list such as [V0.S4, V1.S4] and its GNU form
// {v0.4s, v1.4s}. LD1 and ST1 take one to four consecutive registers of
// one arrangement.
func list(what string, vs []Vector) (goText, gnu string, bytes int) {
	if len(vs) < 1 || len(vs) > 4 {
		panic(fmt.Sprintf("arm64: %s of %d registers; it takes 1 to 4", what, len(vs)))
	}
	sameArrangement(vs...)
	g := make([]string, len(vs))
	n := make([]string, len(vs))
	for i, v := range vs {
		if v.Reg != vs[0].Reg+VReg(i) {
			panic(fmt.Sprintf("arm64: %s list %v is not consecutive registers", what, vs))
		}
		g[i], n[i] = v.goText(), v.gnu()
	}
	return "[" + strings.Join(g, ", ") + "]", "{" + strings.Join(n, ", ") + "}", len(vs) * vs[0].Arrangement.Bytes()
}

// VLD1 loads the registers of vs, in order, from consecutive memory at
// base.
func VLD1(base Reg, vs ...Vector) Inst {
	base.check()
	g, n, _ := list("VLD1", vs)
	return native(fmt.Sprintf("VLD1\t(%s), %s", base, g), fmt.Sprintf("ld1 %s, [%s]", n, base.x()))
}

// VLD1P loads like VLD1 and then advances base past the bytes loaded.
func VLD1P(base Reg, vs ...Vector) Inst {
	base.check()
	g, n, bytes := list("VLD1.P", vs)
	return native(fmt.Sprintf("VLD1.P\t%d(%s), %s", bytes, base, g),
		fmt.Sprintf("ld1 %s, [%s], #%d", n, base.x(), bytes))
}

// VLD1PStep loads like VLD1 and then adds the register step to base, to
// walk down a column of a matrix with step holding the row stride in bytes.
func VLD1PStep(base, step Reg, vs ...Vector) Inst {
	base.check()
	step.check()
	g, n, _ := list("VLD1.P", vs)
	return native(fmt.Sprintf("VLD1.P\t(%s)(%s), %s", base, step, g),
		fmt.Sprintf("ld1 %s, [%s], %s", n, base.x(), step.x()))
}

// VLD1LanePStep loads one lane e from base, leaving the other lanes as
// they were, and then adds the register step to base.
func VLD1LanePStep(base, step Reg, e Element) Inst {
	base.check()
	step.check()
	e.check()
	gnuLane := fmt.Sprintf("{v%d.%c}[%d]", e.Reg, laneLetter(e.Arrangement)+'a'-'A', e.Index)
	return native(fmt.Sprintf("VLD1.P\t(%s)(%s), %s", base, step, e.goText()),
		fmt.Sprintf("ld1 %s, [%s], %s", gnuLane, base.x(), step.x()))
}

// VST1 stores the registers of vs, in order, to consecutive memory at base.
func VST1(base Reg, vs ...Vector) Inst {
	base.check()
	g, n, _ := list("VST1", vs)
	return native(fmt.Sprintf("VST1\t%s, (%s)", g, base), fmt.Sprintf("st1 %s, [%s]", n, base.x()))
}

// VST1P stores like VST1 and then advances base past the bytes stored.
func VST1P(base Reg, vs ...Vector) Inst {
	base.check()
	g, n, bytes := list("VST1.P", vs)
	return native(fmt.Sprintf("VST1.P\t%s, %d(%s)", g, bytes, base),
		fmt.Sprintf("st1 %s, [%s], #%d", n, base.x(), bytes))
}

// VST1PStep stores like VST1 and then adds the register step to base.
func VST1PStep(base, step Reg, vs ...Vector) Inst {
	base.check()
	step.check()
	g, n, _ := list("VST1.P", vs)
	return native(fmt.Sprintf("VST1.P\t%s, (%s)(%s)", g, base, step),
		fmt.Sprintf("st1 %s, [%s], %s", n, base.x(), step.x()))
}

// FMOVSLoad loads the float32 at base into lane 0 of d and clears the rest
// of d.
func FMOVSLoad(d VReg, base Reg) Inst {
	d.check()
	base.check()
	return native(fmt.Sprintf("FMOVS\t(%s), %s", base, d.F()), fmt.Sprintf("ldr s%d, [%s]", d, base.x()))
}

// FMOVSLoadP loads like FMOVSLoad and then advances base by 4.
func FMOVSLoadP(d VReg, base Reg) Inst {
	d.check()
	base.check()
	return native(fmt.Sprintf("FMOVS.P\t4(%s), %s", base, d.F()), fmt.Sprintf("ldr s%d, [%s], #4", d, base.x()))
}

// FMOVSStore stores lane 0 of s, a float32, at base.
func FMOVSStore(base Reg, s VReg) Inst {
	s.check()
	base.check()
	return native(fmt.Sprintf("FMOVS\t%s, (%s)", s.F(), base), fmt.Sprintf("str s%d, [%s]", s, base.x()))
}

// FMOVSStoreP stores like FMOVSStore and then advances base by 4.
func FMOVSStoreP(base Reg, s VReg) Inst {
	s.check()
	base.check()
	return native(fmt.Sprintf("FMOVS.P\t%s, 4(%s)", s.F(), base), fmt.Sprintf("str s%d, [%s], #4", s, base.x()))
}

// VDUP copies the low lane-width bits of the general-purpose register r to
// every lane of d.
func VDUP(d Vector, r Reg) Inst {
	d.check()
	r.check()
	src := r.w()
	if d.Arrangement == D2 {
		src = r.x()
	}
	return native(fmt.Sprintf("VDUP\t%s, %s", r, d.goText()), fmt.Sprintf("dup %s, %s", d.gnu(), src))
}

// VDUPE copies lane e to every lane of d, whose lanes must be the size of
// e.
func VDUPE(d Vector, e Element) Inst {
	d.check()
	e.check()
	if d.Arrangement.LaneBits() != e.Arrangement.LaneBits() {
		panic(fmt.Sprintf("arm64: VDUP of a %d-bit element to %s", e.Arrangement.LaneBits(), d.goText()))
	}
	return native(fmt.Sprintf("VDUP\t%s, %s", e.goText(), d.goText()), fmt.Sprintf("dup %s, %s", d.gnu(), e.gnu()))
}

// VMOV copies the register n to d; both must be B8 or B16.
func VMOV(d, n Vector) Inst {
	allowed("VMOV", sameArrangement(d, n), byteArrangements...)
	return native(fmt.Sprintf("VMOV\t%s, %s", n.goText(), d.goText()), fmt.Sprintf("mov %s, %s", d.gnu(), n.gnu()))
}

// VMOVLane copies the low lane-width bits of r into lane e, leaving the
// other lanes as they were.
func VMOVLane(e Element, r Reg) Inst {
	e.check()
	r.check()
	src := r.w()
	if e.Arrangement == D2 {
		src = r.x()
	}
	return native(fmt.Sprintf("VMOV\t%s, %s", r, e.goText()), fmt.Sprintf("mov %s, %s", e.gnu(), src))
}

// threeSame returns a native three-register instruction; only lists the
// arrangements it takes.
func threeSame(goName, gnuName string, only []Arrangement) func(d, n, m Vector) Inst {
	return func(d, n, m Vector) Inst {
		allowed(goName, sameArrangement(d, n, m), only...)
		return native(fmt.Sprintf("%s\t%s, %s, %s", goName, m.goText(), n.goText(), d.goText()),
			fmt.Sprintf("%s %s, %s, %s", gnuName, d.gnu(), n.gnu(), m.gnu()))
	}
}

// Bitwise instructions of Go's assembler, on B8 or B16 operands. The
// selects take their mask from a different operand each: VBSL from d,
// VBIT and VBIF from m.
var (
	VAND = threeSame("VAND", "and", byteArrangements) // d = n AND m
	VORR = threeSame("VORR", "orr", byteArrangements) // d = n OR m
	VEOR = threeSame("VEOR", "eor", byteArrangements) // d = n XOR m
	VBSL = threeSame("VBSL", "bsl", byteArrangements) // d = n where d is set, else m
	VBIT = threeSame("VBIT", "bit", byteArrangements) // d = n where m is set, else d
	VBIF = threeSame("VBIF", "bif", byteArrangements) // d = d where m is set, else n
)

// Integer and fused floating-point instructions of Go's assembler.
var (
	VADD  = threeSame("VADD", "add", intArrangements)   // d = n + m, integer lanes
	VSUB  = threeSame("VSUB", "sub", intArrangements)   // d = n − m, integer lanes
	VCMEQ = threeSame("VCMEQ", "cmeq", intArrangements) // d = all ones where n = m, integer lanes
	VFMLA = threeSame("VFMLA", "fmla", fpArrangements)  // d = d + n·m, rounded once
	VFMLS = threeSame("VFMLS", "fmls", fpArrangements)  // d = d − n·m, rounded once
)

// shiftImm returns a native shift by an immediate; left shifts take 0 to
// the lane width − 1, right shifts 1 to the lane width.
func shiftImm(goName, gnuName string, left bool) func(d, n Vector, shift int) Inst {
	return func(d, n Vector, shift int) Inst {
		arr := sameArrangement(d, n)
		allowed(goName, arr, intArrangements...)
		lo, hi := 1, arr.LaneBits()
		if left {
			lo, hi = 0, arr.LaneBits()-1
		}
		if shift < lo || shift > hi {
			panic(fmt.Sprintf("arm64: %s by %d of %d-bit lanes", goName, shift, arr.LaneBits()))
		}
		return native(fmt.Sprintf("%s\t$%d, %s, %s", goName, shift, n.goText(), d.goText()),
			fmt.Sprintf("%s %s, %s, #%d", gnuName, d.gnu(), n.gnu(), shift))
	}
}

// Shifts by an immediate of Go's assembler.
var (
	VSHL  = shiftImm("VSHL", "shl", true)    // d = n << shift
	VUSHR = shiftImm("VUSHR", "ushr", false) // d = n >> shift, logical
	VSLI  = shiftImm("VSLI", "sli", true)    // insert n << shift into d, keeping d's low shift bits
	VSRI  = shiftImm("VSRI", "sri", false)   // insert n >> shift into d, keeping d's high shift bits
)

// MOVD copies the general-purpose register s to d.
func MOVD(d, s Reg) Inst {
	d.check()
	s.check()
	return native(fmt.Sprintf("MOVD\t%s, %s", s, d), fmt.Sprintf("mov %s, %s", d.x(), s.x()))
}

// MOVW sets d to the 32-bit constant v, zero-extended. Go's assembler picks
// the instructions (MOVZ and MOVK, or ORR with a bitmask immediate).
func MOVW(d Reg, v uint32) Inst {
	d.check()
	return pseudo(fmt.Sprintf("MOVW\t$0x%08x, %s", v, d))
}

// immediate panics unless v fits the 12-bit unsigned immediate of ADD,
// SUB and CMP.
func immediate(what string, v int) {
	if v < 0 || v > 4095 {
		panic(fmt.Sprintf("arm64: %s immediate %d outside [0, 4095]", what, v))
	}
}

// ADDI sets d = n + v for 0 ≤ v < 4096.
func ADDI(d, n Reg, v int) Inst {
	d.check()
	n.check()
	immediate("ADD", v)
	return native(fmt.Sprintf("ADD\t$%d, %s, %s", v, n, d), fmt.Sprintf("add %s, %s, #%d", d.x(), n.x(), v))
}

// SUBI sets d = n − v for 0 ≤ v < 4096.
func SUBI(d, n Reg, v int) Inst {
	d.check()
	n.check()
	immediate("SUB", v)
	return native(fmt.Sprintf("SUB\t$%d, %s, %s", v, n, d), fmt.Sprintf("sub %s, %s, #%d", d.x(), n.x(), v))
}

// SUBSI sets d = n − v for 0 ≤ v < 4096 and sets the condition flags as CMP
// does, so a loop can count down and branch on the result.
func SUBSI(d, n Reg, v int) Inst {
	d.check()
	n.check()
	immediate("SUBS", v)
	return native(fmt.Sprintf("SUBS\t$%d, %s, %s", v, n, d), fmt.Sprintf("subs %s, %s, #%d", d.x(), n.x(), v))
}

// CMPI compares n with v for 0 ≤ v < 4096, setting the condition flags.
func CMPI(n Reg, v int) Inst {
	n.check()
	immediate("CMP", v)
	return native(fmt.Sprintf("CMP\t$%d, %s", v, n), fmt.Sprintf("cmp %s, #%d", n.x(), v))
}

// ADD sets d = n + m.
func ADD(d, n, m Reg) Inst {
	d.check()
	n.check()
	m.check()
	return native(fmt.Sprintf("ADD\t%s, %s, %s", m, n, d), fmt.Sprintf("add %s, %s, %s", d.x(), n.x(), m.x()))
}

// LSLI sets d = n << shift.
func LSLI(d, n Reg, shift int) Inst {
	d.check()
	n.check()
	if shift < 0 || shift > 63 {
		panic(fmt.Sprintf("arm64: LSL by %d", shift))
	}
	return native(fmt.Sprintf("LSL\t$%d, %s, %s", shift, n, d), fmt.Sprintf("lsl %s, %s, #%d", d.x(), n.x(), shift))
}

// RET returns to the caller.
func RET() Inst { return native("RET", "ret") }

// Cond is the condition of a conditional branch, after CMP or SUBS.
type Cond string

// The conditions that the generators use; the comparisons are signed.
const (
	EQ Cond = "EQ" // equal
	NE Cond = "NE" // not equal
	LT Cond = "LT" // less than
	LE Cond = "LE" // less than or equal
	GT Cond = "GT" // greater than
	GE Cond = "GE" // greater than or equal
)

// branch returns a branch to a label of the same function. Func.Emit
// checks the label when the function is written.
func branch(mnemonic, operands, label string) Inst {
	i := pseudo(mnemonic + "\t" + operands + label)
	i.target = label
	return i
}

// B jumps to label.
func B(label string) Inst { return branch("B", "", label) }

// BCond jumps to label when the flags satisfy c.
func BCond(c Cond, label string) Inst { return branch("B"+string(c), "", label) }

// CBZ jumps to label when r is zero.
func CBZ(r Reg, label string) Inst {
	r.check()
	return branch("CBZ", r.String()+", ", label)
}

// CBNZ jumps to label when r is not zero.
func CBNZ(r Reg, label string) Inst {
	r.check()
	return branch("CBNZ", r.String()+", ", label)
}
