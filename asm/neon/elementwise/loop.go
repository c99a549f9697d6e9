package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/simdgrad/simdgrad/asm/neon/arm64"
)

// lanes is the number of float32 values in a V register.
const lanes = 4

// defaultUnroll is the number of vectors per iteration of the main loop
// when a kernel does not set its own. Four vectors are one LD1 or ST1 of
// four registers per slice, and four independent chains per step should
// cover a floating-point latency of up to four cycles.
//
// NOTE: the unroll factors are estimates, not tuned on arm64 hardware,
// because timings under qemu do not reflect a real core.
const defaultUnroll = 4

// scratch is the general-purpose register that constants pass through on
// their way into V registers.
const scratch = arm64.R9

// pool hands out V registers in runs of consecutive numbers, because LD1
// and ST1 take lists of consecutive registers.
type pool struct{ next int }

// take returns n consecutive registers.
func (p *pool) take(n int) value {
	if p.next+n > 32 {
		panic(fmt.Sprintf("out of V registers: %d in use, %d more requested", p.next, n))
	}
	v := make(value, n)
	for i := range v {
		v[i] = arm64.VReg(p.next + i)
	}
	p.next += n
	return v
}

// value is an operand of a kernel body: one register per vector of the
// block, or a single register that every vector shares (a constant).
type value []arm64.VReg

// at returns the register of vector i.
func (v value) at(i int) arm64.VReg {
	if len(v) == 1 {
		return v[0]
	}
	return v[i]
}

// block emits a kernel body for width vectors. Each step of the body is
// emitted for every vector before the next step, so the instructions that
// follow one another are independent and an in-order core can issue them
// while earlier results are still in flight.
type block struct {
	fn    *arm64.Func
	width int
	regs  *pool
}

// temp returns a new value of width registers.
func (b *block) temp() value { return b.regs.take(b.width) }

func (b *block) three(op func(d, n, m arm64.Vector) arm64.Inst, arr arm64.Arrangement, d, n, m value) {
	for i := range b.width {
		b.fn.Emit(op(d.at(i).As(arr), n.at(i).As(arr), m.at(i).As(arr)))
	}
}

func (b *block) two(op func(d, n arm64.Vector) arm64.Inst, d, n value) {
	for i := range b.width {
		b.fn.Emit(op(d.at(i).S4(), n.at(i).S4()))
	}
}

func (b *block) byElement(op func(d, n arm64.Vector, e arm64.Element) arm64.Inst, d, n value, e arm64.Element) {
	for i := range b.width {
		b.fn.Emit(op(d.at(i).S4(), n.at(i).S4(), e))
	}
}

func (b *block) shift(op func(d, n arm64.Vector, shift int) arm64.Inst, d, n value, s int) {
	for i := range b.width {
		b.fn.Emit(op(d.at(i).S4(), n.at(i).S4(), s))
	}
}

// The operations of kernel bodies, on float32 lanes unless stated.
// Operands are in Arm order, destination first.

func (b *block) fadd(d, n, m value)                  { b.three(arm64.FADD, arm64.S4, d, n, m) }
func (b *block) fsub(d, n, m value)                  { b.three(arm64.FSUB, arm64.S4, d, n, m) }
func (b *block) fmul(d, n, m value)                  { b.three(arm64.FMUL, arm64.S4, d, n, m) }
func (b *block) fdiv(d, n, m value)                  { b.three(arm64.FDIV, arm64.S4, d, n, m) }
func (b *block) fmax(d, n, m value)                  { b.three(arm64.FMAX, arm64.S4, d, n, m) }
func (b *block) fmin(d, n, m value)                  { b.three(arm64.FMIN, arm64.S4, d, n, m) }
func (b *block) fmla(d, n, m value)                  { b.three(arm64.VFMLA, arm64.S4, d, n, m) }
func (b *block) fmls(d, n, m value)                  { b.three(arm64.VFMLS, arm64.S4, d, n, m) }
func (b *block) fabs(d, n value)                     { b.two(arm64.FABS, d, n) }
func (b *block) frintn(d, n value)                   { b.two(arm64.FRINTN, d, n) }
func (b *block) fcvtzs(d, n value)                   { b.two(arm64.FCVTZS, d, n) }
func (b *block) fcmgtz(d, n value)                   { b.two(arm64.FCMGTZ, d, n) }
func (b *block) fcmlez(d, n value)                   { b.two(arm64.FCMLEZ, d, n) }
func (b *block) fcmltz(d, n value)                   { b.two(arm64.FCMLTZ, d, n) }
func (b *block) mulLane(d, n value, e arm64.Element) { b.byElement(arm64.FMULE, d, n, e) }
func (b *block) mlaLane(d, n value, e arm64.Element) { b.byElement(arm64.FMLAE, d, n, e) }
func (b *block) mlsLane(d, n value, e arm64.Element) { b.byElement(arm64.FMLSE, d, n, e) }

// Integer lanes.

func (b *block) add(d, n, m value)      { b.three(arm64.VADD, arm64.S4, d, n, m) }
func (b *block) sub(d, n, m value)      { b.three(arm64.VSUB, arm64.S4, d, n, m) }
func (b *block) cmltz(d, n value)       { b.two(arm64.CMLTZ, d, n) }
func (b *block) shl(d, n value, s int)  { b.shift(arm64.VSHL, d, n, s) }
func (b *block) sshr(d, n value, s int) { b.shift(arm64.SSHR, d, n, s) }

// Whole registers.

func (b *block) orr(d, n, m value) { b.three(arm64.VORR, arm64.B16, d, n, m) }
func (b *block) bic(d, n, m value) { b.three(arm64.BIC, arm64.B16, d, n, m) }
func (b *block) bit(d, n, m value) { b.three(arm64.VBIT, arm64.B16, d, n, m) }
func (b *block) bsl(d, n, m value) { b.three(arm64.VBSL, arm64.B16, d, n, m) }

func (b *block) mov(d, n value) {
	for i := range b.width {
		b.fn.Emit(arm64.VMOV(d.at(i).B16(), n.at(i).B16()))
	}
}

func (b *block) dupLane(d value, e arm64.Element) {
	for i := range b.width {
		b.fn.Emit(arm64.VDUPE(d.at(i).S4(), e))
	}
}

// constant is a 32-bit pattern that a kernel needs in every lane.
type constant struct {
	name string
	bits uint32
}

func f32(name string, v float32) constant { return constant{name, math.Float32bits(v)} }

func u32(name string, v uint32) constant { return constant{name, v} }

// laneTable is up to four float32 constants held in the lanes of one
// register. The by-element forms of FMUL, FMLA and FMLS and DUP read a
// lane directly, so a table of four costs one register instead of four.
type laneTable []constant

// constants are the registers that a kernel loads before its loops.
type constants struct {
	vectors map[string]value
	lanes   map[string]arm64.Element
}

// vector returns the register that holds constant name in every lane.
func (k *constants) vector(name string) value {
	v, ok := k.vectors[name]
	if !ok {
		panic("constant " + name + " is not loaded")
	}
	return v
}

// lane returns the lane that holds the table constant name.
func (k *constants) lane(name string) arm64.Element {
	e, ok := k.lanes[name]
	if !ok {
		panic("table constant " + name + " is not loaded")
	}
	return e
}

// loadConstants emits the loads of the float32 parameters called scalars
// (broadcast to every lane), the broadcast constants and the lane tables,
// taking registers from p.
func loadConstants(fn *arm64.Func, p *pool, scalars []string, vectors []constant, tables []laneTable) *constants {
	k := &constants{vectors: map[string]value{}, lanes: map[string]arm64.Element{}}
	for _, name := range scalars {
		r := p.take(1)
		fn.Comment(fmt.Sprintf("V%d = %s in every lane.", r[0], name))
		fn.Emit(arm64.LoadArg(scratch, fn.Arg(name)), arm64.VDUP(r[0].S4(), scratch))
		k.vectors[name] = r
	}
	for _, c := range vectors {
		r := p.take(1)
		fn.Comment(fmt.Sprintf("V%d = %s in every lane.", r[0], c.name))
		fn.Emit(arm64.MOVW(scratch, c.bits), arm64.VDUP(r[0].S4(), scratch))
		k.vectors[c.name] = r
	}
	for _, t := range tables {
		r := p.take(1)
		names := make([]string, len(t))
		for i, c := range t {
			names[i] = c.name
		}
		fn.Comment(fmt.Sprintf("V%d lanes 0 to %d = %s.", r[0], len(t)-1, strings.Join(names, ", ")))
		for i, c := range t {
			fn.Emit(arm64.MOVW(scratch, c.bits), arm64.VMOVLane(r[0].S(i), scratch))
			k.lanes[c.name] = r[0].S(i)
		}
	}
	return k
}

// bodyFunc computes one block of output from one value per input stream
// and returns the value to store, whose registers must be consecutive
// (any value from temp or an input is).
type bodyFunc func(b *block, in []value) value

// stream emits loops that set out[i] = body(ins[0][i], ...) for the count
// elements at the addresses in the registers out and ins, advancing all of
// them and counting count down to 0. A main loop runs unroll vectors per
// iteration, a second loop single vectors, and a last loop single
// elements. The last loop loads with FMOVS into lane 0, so nothing is read
// or written past the end of a slice, and lanes 1–3 compute on zeros and
// leftovers that are never stored. Every level runs the same body, so a
// value gets the same bits in the main loop as in the tail. Registers come from a copy of
// free for each level, and labels start with prefix.
func stream(fn *arm64.Func, prefix string, out arm64.Reg, ins []arm64.Reg, count arm64.Reg,
	unroll int, free pool, body bodyFunc) {
	vectorLevel := func(label string, width int) {
		regs := free
		b := &block{fn: fn, width: width, regs: &regs}
		step := width * lanes
		fn.Emit(arm64.SUBSI(count, count, step), arm64.BCond(arm64.LT, label+"_end"))
		fn.Label(label)
		in := make([]value, len(ins))
		for j, ptr := range ins {
			in[j] = b.temp()
			for _, list := range chunks(in[j]) {
				fn.Emit(arm64.VLD1P(ptr, list...))
			}
		}
		result := body(b, in)
		for _, list := range chunks(result) {
			fn.Emit(arm64.VST1P(out, list...))
		}
		fn.Emit(arm64.SUBSI(count, count, step), arm64.BCond(arm64.GE, label))
		fn.Label(label + "_end")
		fn.Emit(arm64.ADDI(count, count, step))
	}
	if unroll > 1 {
		fn.Comment(fmt.Sprintf("%d elements per iteration while at least that many remain.", unroll*lanes))
		vectorLevel(prefix+"vectors", unroll)
	}
	fn.Comment("4 elements per iteration.")
	vectorLevel(prefix+"vector", 1)

	fn.Comment("Fewer than 4 elements remain: one per iteration, in lane 0.")
	fn.Emit(arm64.CBZ(count, prefix+"done"))
	fn.Label(prefix + "scalar")
	regs := free
	b := &block{fn: fn, width: 1, regs: &regs}
	in := make([]value, len(ins))
	for j, ptr := range ins {
		in[j] = b.temp()
		fn.Emit(arm64.FMOVSLoadP(in[j][0], ptr))
	}
	result := body(b, in)
	fn.Emit(arm64.FMOVSStoreP(out, result[0]))
	fn.Emit(arm64.SUBSI(count, count, 1), arm64.BCond(arm64.NE, prefix+"scalar"))
	fn.Label(prefix + "done")
}

// chunks splits v into register lists of at most four, the most that one
// LD1 or ST1 takes, as S4 vectors.
func chunks(v value) [][]arm64.Vector {
	var out [][]arm64.Vector
	for start := 0; start < len(v); start += 4 {
		var list []arm64.Vector
		for _, r := range v[start:min(start+4, len(v))] {
			list = append(list, r.S4())
		}
		out = append(out, list)
	}
	return out
}
