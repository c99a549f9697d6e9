package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"
)

const (
	// guardLen is the number of guard elements before and after each slice
	// under test: more than one 64-byte vector, so that a full-width store
	// past either end lands in the guard.
	guardLen = 24
	// alignLen is the alignment, in elements, that offsets count from: 64
	// bytes, the widest vector (AVX-512) and a cache line.
	alignLen = 16
	// maxOffset is the largest start offset the tests use, which with
	// alignLen covers every misalignment of a 64-byte vector.
	maxOffset = alignLen - 1
)

// Guard values are quiet NaNs with payloads that no arithmetic produces, so
// any store to a guard, even of a NaN, changes its bits. Outputs and inputs
// get different payloads, so that a value copied from an input guard into an
// output guard is seen too.
var (
	outputGuard = math.Float32frombits(0x7fc0dead)
	inputGuard  = math.Float32frombits(0x7fc0beef)
)

var (
	negZero = float32(math.Copysign(0, -1))
	inf     = float32(math.Inf(1))
	nan     = float32(math.NaN())
	// minNormal is the smallest positive normal float32, 2⁻¹²⁶.
	minNormal = float32(math.Float32frombits(0x00800000))
)

// buffer is a slice under test inside a larger allocation whose other
// elements hold a guard value. The slice starts offset elements after a
// 64-byte boundary, and its capacity runs on into the trailing guard, so a
// store past its length changes a guard rather than faulting.
type buffer struct {
	all   []float32 // the whole allocation
	start int       // index in all of element 0 of s
	s     []float32 // the slice passed to the kernel
}

// newBuffer returns a buffer of length elements filled with guard, starting
// offset elements (0..maxOffset) after a 64-byte boundary.
func newBuffer(length, offset int, guard float32) *buffer {
	all := make([]float32, guardLen+alignLen+offset+length+guardLen)
	base := guardLen
	for uintptr(unsafe.Pointer(&all[base]))%(alignLen*4) != 0 {
		base++
	}
	for i := range all {
		all[i] = guard
	}
	start := base + offset
	return &buffer{all: all, start: start, s: all[start : start+length]}
}

// snapshot returns a copy of the whole allocation.
func (b *buffer) snapshot() []float32 {
	return append([]float32(nil), b.all...)
}

// checkUnchanged returns an error naming the first element of the
// allocation, other than those for which inside returns true, whose bits
// differ from before. inside takes an index relative to the start of s and
// may be nil when no element may change.
func (b *buffer) checkUnchanged(name string, before []float32, inside func(int) bool) error {
	for i := range b.all {
		rel := i - b.start
		if inside != nil && rel >= 0 && rel < len(b.s) && inside(rel) {
			continue
		}
		if math.Float32bits(b.all[i]) != math.Float32bits(before[i]) {
			return fmt.Errorf("%s[%d], %s of length %d, changed from %s to %s",
				name, rel, where(rel, len(b.s)), len(b.s), format(before[i]), format(b.all[i]))
		}
	}
	return nil
}

// where names the place of an index relative to a slice of length n:
// before the slice, inside it or after it.
func where(rel, n int) string {
	switch {
	case rel < 0:
		return "in the guard before the slice"
	case rel >= n:
		return "in the guard after the slice"
	}
	return "inside the slice"
}

// format returns a float32 with its bits, so that failure messages
// distinguish signed zeros and NaN payloads.
func format(v float32) string {
	return fmt.Sprintf("%g (%#08x)", v, math.Float32bits(v))
}

// spanLen returns the number of elements that a row-major rows×cols matrix
// with leading dimension ld spans: the last row needs only cols elements.
func spanLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// inMatrix returns a function that reports whether an index into a matrix
// slice lies in its rows×cols window rather than in the slack between rows.
func inMatrix(rows, cols, ld int) func(int) bool {
	return func(rel int) bool {
		return rel/ld < rows && rel%ld < cols
	}
}

// newRand returns a deterministic generator for the given stream, so that a
// failure reproduces on every run.
func newRand(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(0x5eed_51dd_9ad0_0001, stream))
}

// edgeValues are finite values at the ends of the float32 range and at the
// kinks of the activations.
var edgeValues = []float32{
	0, negZero, 1, -1, 0.5, -0.5,
	math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	minNormal, -minNormal,
}

// mixedValue returns a value from a mixture that an elementwise kernel must
// handle: moderate values around the kinks, values of every magnitude from
// subnormal to the float32 maximum, exact small numbers and signed zeros,
// and now and then NaN or an infinity.
func mixedValue(r *rand.Rand) float32 {
	switch p := r.Float64(); {
	case p < 0.55:
		return float32(r.Float64()*16 - 8)
	case p < 0.70:
		return signed(r, float32(math.Exp2(r.Float64()*60-30)))
	case p < 0.80:
		// 2^-149 to just under 2^128 covers subnormals and the overflow edge.
		return signed(r, float32(math.Exp2(r.Float64()*276.99-149)))
	case p < 0.92:
		return float32(r.IntN(9)-4) / 2
	case p < 0.97:
		return edgeValues[r.IntN(len(edgeValues))]
	}
	return [...]float32{nan, inf, -inf}[r.IntN(3)]
}

// finiteValue returns a value of mixedValue's mixture other than NaN and
// the infinities.
func finiteValue(r *rand.Rand) float32 {
	for {
		if v := mixedValue(r); !isNaN(v) && !math.IsInf(float64(v), 0) {
			return v
		}
	}
}

func signed(r *rand.Rand, v float32) float32 {
	if r.IntN(2) == 0 {
		return -v
	}
	return v
}

func isNaN(v float32) bool { return v != v }

// sameBits reports whether got and want are the same float32, with NaN equal
// to NaN whatever the payloads and -0 different from +0.
func sameBits(got, want float32) bool {
	if isNaN(got) || isNaN(want) {
		return isNaN(got) && isNaN(want)
	}
	return math.Float32bits(got) == math.Float32bits(want)
}
