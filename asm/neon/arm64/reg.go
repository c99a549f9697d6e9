// Package arm64 writes Go-syntax arm64 assembly from Go code, for the NEON
// generators in asm/neon. avo only targets amd64, so this package plays its
// part for arm64: File and Func lay out TEXT blocks, argument references,
// labels and comments, and every instruction is a value built by a
// constructor that checks its operands.
//
// Instructions that Go's arm64 assembler (go1.26) supports are written in
// its syntax. The vector floating-point instructions that it lacks (FADD, FMUL,
// FDIV, FMAX, the FCM compares, FRINTN, FCVTZS, the by-element FMLA and
// more) are encoded here and written as WORD $0x... with the GNU syntax in a
// trailing comment. Every Inst also carries its GNU syntax, which the tests
// assemble with GNU as to check both the encoder and the Go-syntax
// renderings.
//
// Constructors take operands in the order of the Arm architecture manual
// and GNU as, destination first: FSUB(d, n, m) sets d = n − m. The Go
// rendering reverses them as Go's assembler expects.
package arm64

import "fmt"

// Reg is a general-purpose register, R0 to R30 in Go syntax and x0 to x30
// in GNU syntax. Go reserves R18 (platform register), R26 (closure
// context), R27 (assembler temporary), R28 (goroutine pointer), R29 (frame
// pointer) and R30 (link register), so generated code should only use
// R0–R17 and R19–R25.
type Reg uint8

// The general-purpose registers.
const (
	R0 Reg = iota
	R1
	R2
	R3
	R4
	R5
	R6
	R7
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
	R16
	R17
	R18
	R19
	R20
	R21
	R22
	R23
	R24
	R25
	R26
	R27
	R28
	R29
	R30
)

// String returns the Go name of r.
func (r Reg) String() string { return fmt.Sprintf("R%d", r) }

// x returns the GNU name of r as a 64-bit register.
func (r Reg) x() string { return fmt.Sprintf("x%d", r) }

// w returns the GNU name of r as a 32-bit register.
func (r Reg) w() string { return fmt.Sprintf("w%d", r) }

func (r Reg) check() {
	if r > R30 {
		panic(fmt.Sprintf("arm64: general-purpose register %d out of range", r))
	}
}

// VReg is a SIMD and floating-point register, V0 to V31. Go's ABI0 keeps no
// value in these registers across calls, so assembly functions may use all
// 32.
type VReg uint8

// The SIMD and floating-point registers.
const (
	V0 VReg = iota
	V1
	V2
	V3
	V4
	V5
	V6
	V7
	V8
	V9
	V10
	V11
	V12
	V13
	V14
	V15
	V16
	V17
	V18
	V19
	V20
	V21
	V22
	V23
	V24
	V25
	V26
	V27
	V28
	V29
	V30
	V31
)

func (v VReg) check() {
	if v > V31 {
		panic(fmt.Sprintf("arm64: vector register %d out of range", v))
	}
}

// Arrangement is the lane layout of a vector operand.
type Arrangement uint8

// The vector arrangements. The number is the lane count, the letter the
// lane size: B is 8 bits, H 16, S 32 and D 64.
const (
	B8 Arrangement = iota
	B16
	H4
	H8
	S2
	S4
	D2
)

var arrangements = [...]struct {
	goName, gnuName string
	q, size         uint32 // the Q bit (128-bit vector) and log2 of the lane bytes
}{
	B8:  {"B8", "8b", 0, 0},
	B16: {"B16", "16b", 1, 0},
	H4:  {"H4", "4h", 0, 1},
	H8:  {"H8", "8h", 1, 1},
	S2:  {"S2", "2s", 0, 2},
	S4:  {"S4", "4s", 1, 2},
	D2:  {"D2", "2d", 1, 3},
}

// Arrangements lists every arrangement, narrowest lanes first.
var Arrangements = []Arrangement{B8, B16, H4, H8, S2, S4, D2}

func (a Arrangement) String() string { return arrangements[a].goName }

// LaneBits returns the width of one lane in bits.
func (a Arrangement) LaneBits() int { return 8 << arrangements[a].size }

// Bytes returns the width of the whole vector: 8 or 16.
func (a Arrangement) Bytes() int { return 8 << arrangements[a].q }

// Vector is a register viewed with an arrangement, such as V3.S4.
type Vector struct {
	Reg         VReg
	Arrangement Arrangement
}

// B8 returns v viewed as eight 8-bit lanes.
func (v VReg) B8() Vector { return Vector{v, B8} }

// B16 returns v viewed as sixteen 8-bit lanes, the arrangement of bitwise
// operations on a whole register.
func (v VReg) B16() Vector { return Vector{v, B16} }

// H4 returns v viewed as four 16-bit lanes.
func (v VReg) H4() Vector { return Vector{v, H4} }

// H8 returns v viewed as eight 16-bit lanes.
func (v VReg) H8() Vector { return Vector{v, H8} }

// S2 returns the low half of v viewed as two 32-bit lanes.
func (v VReg) S2() Vector { return Vector{v, S2} }

// S4 returns v viewed as four 32-bit lanes: four float32 or int32 values.
func (v VReg) S4() Vector { return Vector{v, S4} }

// D2 returns v viewed as two 64-bit lanes.
func (v VReg) D2() Vector { return Vector{v, D2} }

// As returns v viewed with the arrangement a.
func (v VReg) As(a Arrangement) Vector { return Vector{v, a} }

// S returns lane i of v as a 32-bit element, the operand of by-element
// instructions and lane moves.
func (v VReg) S(i int) Element { return Element{v, S4, i} }

// D returns lane i of v as a 64-bit element.
func (v VReg) D(i int) Element { return Element{v, D2, i} }

// F returns the Go name of v's low 32 bits as a scalar register (F0–F31),
// which FMOVS loads and stores.
func (v VReg) F() string { return fmt.Sprintf("F%d", v) }

// goText returns the operand in Go syntax, such as V3.S4.
func (v Vector) goText() string {
	return fmt.Sprintf("V%d.%s", v.Reg, arrangements[v.Arrangement].goName)
}

// gnu returns the operand in GNU syntax, such as v3.4s.
func (v Vector) gnu() string {
	return fmt.Sprintf("v%d.%s", v.Reg, arrangements[v.Arrangement].gnuName)
}

func (v Vector) check() {
	v.Reg.check()
	if int(v.Arrangement) >= len(arrangements) {
		panic(fmt.Sprintf("arm64: arrangement %d out of range", v.Arrangement))
	}
}

// Element is one lane of a register, such as V3.S[1]. Its Arrangement
// records the lane size (S4 for 32-bit lanes, D2 for 64-bit ones).
type Element struct {
	Reg         VReg
	Arrangement Arrangement
	Index       int
}

func (e Element) lanes() int { return 128 / e.Arrangement.LaneBits() }

func (e Element) check() {
	e.Reg.check()
	if e.Index < 0 || e.Index >= e.lanes() {
		panic(fmt.Sprintf("arm64: lane %d of a %d-lane register", e.Index, e.lanes()))
	}
}

// goText returns the operand in Go syntax, such as V3.S[1].
func (e Element) goText() string {
	return fmt.Sprintf("V%d.%c[%d]", e.Reg, laneLetter(e.Arrangement), e.Index)
}

// gnu returns the operand in GNU syntax, such as v3.s[1].
func (e Element) gnu() string {
	return fmt.Sprintf("v%d.%c[%d]", e.Reg, laneLetter(e.Arrangement)+'a'-'A', e.Index)
}

func laneLetter(a Arrangement) byte { return "BHSD"[arrangements[a].size] }

// sameArrangement panics unless every operand has the arrangement of the
// first, and returns it.
func sameArrangement(vs ...Vector) Arrangement {
	for _, v := range vs {
		v.check()
		if v.Arrangement != vs[0].Arrangement {
			panic(fmt.Sprintf("arm64: operands %s and %s differ in arrangement", vs[0].goText(), v.goText()))
		}
	}
	return vs[0].Arrangement
}

// allowed panics unless a is one of the arrangements in list; what names
// the instruction for the message.
func allowed(what string, a Arrangement, list ...Arrangement) {
	for _, l := range list {
		if a == l {
			return
		}
	}
	panic(fmt.Sprintf("arm64: %s does not take arrangement %s", what, a))
}
