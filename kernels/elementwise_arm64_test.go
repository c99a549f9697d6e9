//go:build !purego

package kernels_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/kernels"
)

// useNEON makes the exported kernels run the NEON implementation until the
// test ends, or skips the test when this build cannot run it.
func useNEON(t *testing.T) {
	t.Helper()
	if !slices.Contains(kernels.Available(), "neon") {
		t.Skipf("skipping: the neon implementation (arm64 without -tags purego) is not available here; available: %v",
			kernels.Available())
	}
	t.Cleanup(kernels.Use("neon"))
}

// neonMaxULP is the accuracy that Sigmoid and Tanh promise against
// float64.
const neonMaxULP = 4

// neonULPStep is the distance between the float32 bit patterns that
// TestSigmoidTanhULPNEON tests. Under qemu-aarch64 the float64 reference
// costs most of the time: every 512th pattern takes about 15 s on a 2-core
// host, so denser sweeps are for one-off measurements, such as
// GOARCH=arm64 go test -exec qemu-aarch64-static -run ULPNEON ./kernels/
// -args -neon-ulp-step=64 (about 2 minutes).
var neonULPStep = flag.Uint64("neon-ulp-step", 512, "test every Nth float32 bit pattern in TestSigmoidTanhULPNEON")

// ulpError returns |got − want| in units of the spacing of float32 values
// at want: 2^(e−23) for |want| in [2^e, 2^(e+1)), and 2^-149 below the
// smallest normal float32.
func ulpError(got float32, want float64) float64 {
	// The spacing is built from want's float64 exponent field, which is
	// cheaper than math.Ldexp in the sweeps.
	exp := int(math.Float64bits(want)>>52&0x7ff) - 1023
	spacing := math.Float64frombits(uint64(max(exp, -126)-23+1023) << 52)
	return math.Abs(float64(got)-want) / spacing
}

// activation is a kernel under the accuracy tests with its float64
// reference and the range of its results for non-NaN input.
type activation struct {
	name   string
	kernel func(y, x []float32)
	ref    func(x float64) float64
	lo, hi float32
}

var activations = []activation{
	{"Sigmoid", kernels.Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 0, 1},
	{"Tanh", kernels.Tanh, math.Tanh, -1, 1},
}

// maxError is the worst result of an accuracy sweep.
type maxError struct {
	ulp    float64
	x, got float32
}

// ulpChunk is the number of inputs per kernel call in the sweeps, a
// multiple of 16 plus 7, so that every call runs the 16-element loop, the
// 4-element loop and the one-element tail.
const ulpChunk = 4096 + 7

// measure runs a on x and returns the worst error, failing the test on a
// NaN result for non-NaN input, a result outside [lo, hi], or a number for
// NaN input.
func measure(t *testing.T, a activation, x, y []float32) maxError {
	a.kernel(y, x)
	var worst maxError
	for i, v := range x {
		got := y[i]
		if math.IsNaN(float64(v)) {
			if !math.IsNaN(float64(got)) {
				t.Errorf("%s(NaN %#08x) = %v, want NaN", a.name, math.Float32bits(v), got)
			}
			continue
		}
		if math.IsNaN(float64(got)) || got < a.lo || got > a.hi {
			t.Errorf("%s(%v) = %v, want a number in [%v, %v]", a.name, v, got, a.lo, a.hi)
			continue
		}
		if e := ulpError(got, a.ref(float64(v))); e > worst.ulp {
			worst = maxError{e, v, got}
		}
	}
	return worst
}

// sweepInputs measures a on input(i) for i < count, in chunks spread over
// GOMAXPROCS goroutines, and returns the worst error.
func sweepInputs(t *testing.T, a activation, count uint64, input func(i uint64) float32) maxError {
	workers := runtime.GOMAXPROCS(0)
	results := make([]maxError, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			x := make([]float32, ulpChunk)
			y := make([]float32, ulpChunk)
			for start := uint64(w) * ulpChunk; start < count; start += uint64(workers) * ulpChunk {
				n := min(ulpChunk, count-start)
				for i := range n {
					x[i] = input(start + i)
				}
				if e := measure(t, a, x[:n], y[:n]); e.ulp > results[w].ulp {
					results[w] = e
				}
			}
		})
	}
	wg.Wait()
	var worst maxError
	for _, r := range results {
		if r.ulp > worst.ulp {
			worst = r
		}
	}
	return worst
}

// TestSigmoidTanhULPNEON compares the NEON Sigmoid and Tanh with float64
// math on every neonULPStep-th float32 bit pattern (every sign and
// exponent, with the low mantissa bits varied, subnormals and NaN payloads
// included) and on every multiple of 2^-16 in [−1, 1]. With -short it
// takes every 8192nd pattern.
func TestSigmoidTanhULPNEON(t *testing.T) {
	useNEON(t)
	step := *neonULPStep
	if testing.Short() {
		step = 8192
	}
	const gridBits = 16
	for _, a := range activations {
		t.Run(a.name, func(t *testing.T) {
			patterns := sweepInputs(t, a, (1<<32)/step, func(i uint64) float32 {
				// The offset i%step moves the low mantissa bits from one
				// sample to the next instead of testing multiples of step.
				return math.Float32frombits(uint32(i*step + i%step))
			})
			t.Logf("%s: every %dth bit pattern: max %.3f ulp at x = %v (%#08x), got %v, float64 %v",
				a.name, step, patterns.ulp, patterns.x, math.Float32bits(patterns.x), patterns.got,
				a.ref(float64(patterns.x)))
			require.LessOrEqual(t, patterns.ulp, float64(neonMaxULP), "bit-pattern sweep, worst x = %v", patterns.x)

			grid := sweepInputs(t, a, 2<<gridBits+1, func(i uint64) float32 {
				return float32(-1 + math.Ldexp(float64(i), -gridBits))
			})
			t.Logf("%s: [-1, 1] in steps of 2^-%d: max %.3f ulp at x = %v, got %v, float64 %v",
				a.name, gridBits, grid.ulp, grid.x, grid.got, a.ref(float64(grid.x)))
			require.LessOrEqual(t, grid.ulp, float64(neonMaxULP), "[-1, 1] grid, worst x = %v", grid.x)
		})
	}
}

// neonCallLen is a length that runs every loop of an elementwise kernel:
// one 16-element iteration, one 4-element one and three single elements.
const neonCallLen = 23

// TestSigmoidTanhSpecialValuesNEON checks the inputs whose results are
// exact at every position of a call, so in each loop: signed zeros,
// infinities, NaN, and finite inputs so large that e^|x| overflows, which
// must not give NaN.
func TestSigmoidTanhSpecialValuesNEON(t *testing.T) {
	useNEON(t)
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	tiny := math.Float32frombits(1) // the smallest subnormal
	cases := []struct{ x, sigmoid, tanh float32 }{
		{0, 0.5, 0},
		{negZero, 0.5, negZero},
		{inf, 1, 1},
		{-inf, 0, -1},
		{1e30, 1, 1},
		{-1e30, 0, -1},
		{math.MaxFloat32, 1, 1},
		{-math.MaxFloat32, 0, -1},
		{200, 1, 1},
		{-200, 0, -1},
		{tiny, 0.5, tiny},
		{-tiny, 0.5, -tiny},
		{1e-30, 0.5, 1e-30},
		{-1e-30, 0.5, -1e-30},
	}
	x := make([]float32, neonCallLen)
	y := make([]float32, neonCallLen)
	for _, c := range cases {
		for pos := range neonCallLen {
			clear(x)
			x[pos] = c.x
			kernels.Sigmoid(y, x)
			require.Equal(t, math.Float32bits(c.sigmoid), math.Float32bits(y[pos]),
				"Sigmoid(%v) at position %d = %v, want %v", c.x, pos, y[pos], c.sigmoid)
			kernels.Tanh(y, x)
			require.Equal(t, math.Float32bits(c.tanh), math.Float32bits(y[pos]),
				"Tanh(%v) at position %d = %v, want %v", c.x, pos, y[pos], c.tanh)
		}
	}
	for _, bits := range []uint32{0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xff800001} {
		nan := math.Float32frombits(bits)
		for pos := range neonCallLen {
			clear(x)
			x[pos] = nan
			kernels.Sigmoid(y, x)
			require.True(t, math.IsNaN(float64(y[pos])), "Sigmoid(NaN %#08x) at position %d = %v", bits, pos, y[pos])
			kernels.Tanh(y, x)
			require.True(t, math.IsNaN(float64(y[pos])), "Tanh(NaN %#08x) at position %d = %v", bits, pos, y[pos])
		}
	}
}

// TestSigmoidTanhTailMatchesBodyNEON checks that the one-element tail
// computes the same bits as the vector loops: each value is computed in a
// long call and again alone.
func TestSigmoidTanhTailMatchesBodyNEON(t *testing.T) {
	useNEON(t)
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 500)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 8)
	}
	alone := make([]float32, 1)
	for _, a := range activations {
		long := make([]float32, len(x))
		a.kernel(long, x)
		for i, v := range x {
			a.kernel(alone, x[i:i+1])
			require.Equal(t, math.Float32bits(long[i]), math.Float32bits(alone[0]),
				"%s(%v): tail %v, vector loop %v", a.name, v, alone[0], long[i])
		}
	}
}

// neonGuard fills the elements around every output to catch stray stores.
// It is finite, so that adding a bias to it changes it.
const neonGuard float32 = -1234.5678

const neonGuardLen = 8

// guardedSlice returns n elements inside a buffer whose neonGuardLen
// elements on each side hold neonGuard, starting offset elements into the
// buffer so that the slice meets every alignment.
func guardedSlice(n, offset int) (s, buffer []float32) {
	buffer = make([]float32, n+2*neonGuardLen+offset)
	for i := range buffer {
		buffer[i] = neonGuard
	}
	return buffer[neonGuardLen+offset : neonGuardLen+offset+n], buffer
}

// requireGuarded fails unless buffer holds neonGuard everywhere outside
// [lo, hi).
func requireGuarded(t *testing.T, buffer []float32, lo, hi int, caseName string) {
	t.Helper()
	for i, v := range buffer {
		if (i < lo || i >= hi) && math.Float32bits(v) != math.Float32bits(neonGuard) {
			t.Fatalf("%s: element %d outside the output [%d, %d) was overwritten with %v", caseName, i, lo, hi, v)
		}
	}
}

// equalBits reports whether a and b are the same float32, taking any two
// NaNs as equal.
func equalBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// specialValues are inputs that every kernel must handle as package
// generic does.
var specialValues = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), 1, -1, 0.5, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32}

// mixedInputs returns n inputs, a third of them special values, the rest
// normal with standard deviation scale.
func mixedInputs(r *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		if r.IntN(3) == 0 {
			s[i] = specialValues[r.IntN(len(specialValues))]
		} else {
			s[i] = float32(r.NormFloat64() * scale)
		}
	}
	return s
}

// bitExactKernel is a kernel whose NEON results equal package generic's
// bit for bit: selects, and arithmetic in the same order with the same
// roundings.
type bitExactKernel struct {
	name          string
	neon, generic func(out, a, b []float32, slope float32)
	// scale is the standard deviation of the second input. TanhGrad keeps
	// its y within [−1, 1], where generic's float64 1−y² rounds once, as
	// the fused multiply-subtract does.
	scale float64
}

var bitExactKernels = []bitExactKernel{
	{"ReLU", func(y, x, _ []float32, _ float32) { kernels.ReLU(y, x) },
		func(y, x, _ []float32, _ float32) { generic.ReLU(y, x) }, 2},
	{"LeakyReLU", func(y, x, _ []float32, s float32) { kernels.LeakyReLU(y, x, s) },
		func(y, x, _ []float32, s float32) { generic.LeakyReLU(y, x, s) }, 2},
	{"ReLUGrad", func(dx, dy, y []float32, _ float32) { kernels.ReLUGrad(dx, dy, y) },
		func(dx, dy, y []float32, _ float32) { generic.ReLUGrad(dx, dy, y) }, 2},
	{"LeakyReLUGrad", kernels.LeakyReLUGrad, generic.LeakyReLUGrad, 2},
	{"SigmoidGrad", func(dx, dy, y []float32, _ float32) { kernels.SigmoidGrad(dx, dy, y) },
		func(dx, dy, y []float32, _ float32) { generic.SigmoidGrad(dx, dy, y) }, 2},
	{"TanhGrad", func(dx, dy, y []float32, _ float32) { kernels.TanhGrad(dx, dy, y) },
		func(dx, dy, y []float32, _ float32) { generic.TanhGrad(dx, dy, y) }, 0.4},
}

// secondInput returns the y of a gradient kernel: mixedInputs, with
// values outside [−1, 1] other than ±Inf folded back in for TanhGrad.
func secondInput(r *rand.Rand, k bitExactKernel, n int) []float32 {
	s := mixedInputs(r, n, k.scale)
	if k.name == "TanhGrad" {
		for i, v := range s {
			if !math.IsInf(float64(v), 0) && math.Abs(float64(v)) > 1 {
				s[i] = float32(math.Remainder(float64(v), 1))
			}
		}
	}
	return s
}

// TestBitExactKernelsMatchGenericNEON compares the NEON select and
// gradient kernels with package generic bit for bit on every length up to
// 100 and four alignments, separately and in place, and checks that
// nothing around the output is written.
func TestBitExactKernelsMatchGenericNEON(t *testing.T) {
	useNEON(t)
	slopes := []float32{0.01, 0, 1.5, -0.5}
	for _, k := range bitExactKernels {
		t.Run(k.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(len(k.name))))
			for n := 0; n <= 100; n++ {
				for offset := range 4 {
					slope := slopes[(n+offset)%len(slopes)]
					a, b := mixedInputs(r, n, 2), secondInput(r, k, n)
					want := make([]float32, n)
					k.generic(want, a, b, slope)

					out, buffer := guardedSlice(n, offset)
					k.neon(out, a, b, slope)
					caseName := fmt.Sprintf("%s n=%d offset=%d", k.name, n, offset)
					requireGuarded(t, buffer, neonGuardLen+offset, neonGuardLen+offset+n, caseName)
					for i := range want {
						if !equalBits(out[i], want[i]) {
							t.Fatalf("%s: [%d] = %v (%#08x), generic %v (%#08x), inputs %v %v", caseName, i,
								out[i], math.Float32bits(out[i]), want[i], math.Float32bits(want[i]), a[i], b[i])
						}
					}

					// In place: the output is the first input (x or dy).
					inPlace := slices.Clone(a)
					k.neon(inPlace, inPlace, b, slope)
					for i := range want {
						if !equalBits(inPlace[i], want[i]) {
							t.Fatalf("%s in place: [%d] = %v, generic %v", caseName, i, inPlace[i], want[i])
						}
					}
				}
			}
		})
	}
}

// TestLongInputsMatchGenericNEON runs inputs of several assembly blocks,
// so that the block boundaries and the last partial block are covered.
func TestLongInputsMatchGenericNEON(t *testing.T) {
	useNEON(t)
	const n = 3<<16 + 13
	r := rand.New(rand.NewPCG(5, 6))
	a := mixedInputs(r, n, 2)
	for _, k := range bitExactKernels {
		b := secondInput(r, k, n)
		want := make([]float32, n)
		got := make([]float32, n)
		k.generic(want, a, b, 0.01)
		k.neon(got, a, b, 0.01)
		for i := range want {
			if !equalBits(got[i], want[i]) {
				t.Fatalf("%s n=%d: [%d] = %v, generic %v", k.name, n, i, got[i], want[i])
			}
		}
	}
	// Sigmoid and Tanh across block boundaries must equal the same values
	// computed alone.
	for _, act := range activations {
		got := make([]float32, n)
		act.kernel(got, a)
		for _, i := range []int{0, 1<<16 - 1, 1 << 16, 2<<16 + 7, n - 1} {
			alone := make([]float32, 1)
			act.kernel(alone, a[i:i+1])
			require.True(t, equalBits(got[i], alone[0]), "%s n=%d: [%d] = %v, alone %v", act.name, n, i, got[i], alone[0])
		}
	}
}

// neonRowShapes are m×n shapes with ld > n for the row kernels: short and
// odd widths, widths around the 32-column block, more rows than one
// assembly call takes, and a row wider than one call.
var neonRowShapes = []struct{ m, n, ld int }{
	{1, 1, 1}, {3, 1, 2}, {2, 7, 9}, {5, 8, 8}, {4, 13, 16}, {7, 31, 40}, {6, 32, 33}, {3, 39, 41},
	{5, 100, 101}, {300, 67, 69}, {1100, 64, 64}, {3, 70000, 70003},
}

// TestRowKernelsMatchGenericNEON compares AddBias and SumRows with package
// generic bit for bit, with guard values before, between and after the
// rows, which must survive.
func TestRowKernelsMatchGenericNEON(t *testing.T) {
	useNEON(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range neonRowShapes {
		name := fmt.Sprintf("m=%d/n=%d/ld=%d", s.m, s.n, s.ld)
		span := (s.m-1)*s.ld + s.n
		matrix := mixedInputs(r, span, 2)
		for i := range s.m {
			for j := s.n; j < s.ld && i*s.ld+j < span; j++ {
				matrix[i*s.ld+j] = neonGuard
			}
		}
		// A bias of ±0 would leave a stray write to a guard invisible.
		vector := mixedInputs(r, s.n, 2)
		for j, v := range vector {
			if v == 0 {
				vector[j] = 1
			}
		}

		t.Run("AddBias/"+name, func(t *testing.T) {
			want := slices.Clone(matrix)
			generic.AddBias(s.m, s.n, vector, want, s.ld)
			c, buffer := guardedSlice(span, 3)
			copy(c, matrix)
			kernels.AddBias(s.m, s.n, vector, c, s.ld)
			requireGuarded(t, buffer, neonGuardLen+3, neonGuardLen+3+span, "AddBias "+name)
			for i := range want {
				if !equalBits(c[i], want[i]) {
					t.Fatalf("AddBias %s: c[%d] = %v, generic %v", name, i, c[i], want[i])
				}
				if i%s.ld >= s.n && c[i] != neonGuard {
					t.Fatalf("AddBias %s: c[%d], between rows, was overwritten with %v", name, i, c[i])
				}
			}
		})

		t.Run("SumRows/"+name, func(t *testing.T) {
			want := make([]float32, s.n)
			generic.SumRows(s.m, s.n, matrix, s.ld, want)
			dst, buffer := guardedSlice(s.n, 1)
			kernels.SumRows(s.m, s.n, matrix, s.ld, dst)
			requireGuarded(t, buffer, neonGuardLen+1, neonGuardLen+1+s.n, "SumRows "+name)
			for j := range want {
				if !equalBits(dst[j], want[j]) {
					t.Fatalf("SumRows %s: dst[%d] = %v, generic %v", name, j, dst[j], want[j])
				}
			}
		})
	}
}
