package kernels_test

import (
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

// useAVX2 makes the exported kernels run the AVX2 implementation until the
// test ends, or skips the test when this CPU or build cannot run it.
func useAVX2(t *testing.T) {
	t.Helper()
	if !slices.Contains(kernels.Available(), "avx2") {
		t.Skipf("skipping: the avx2 implementation (AVX2 and FMA, amd64 without -tags purego) is not available here; available: %v", kernels.Available())
	}
	t.Cleanup(kernels.Use("avx2"))
}

// maxULP is the accuracy that Sigmoid and Tanh promise against float64.
const maxULP = 4

// ulpDistance returns |got − want| in units of the spacing of float32
// numbers at want: 2^(e−23) for |want| in [2^e, 2^(e+1)), and 2^-149
// below the smallest normal number.
func ulpDistance(got float32, want float64) float64 {
	// The spacing is a power of two built from want's float64 exponent
	// field, which is much cheaper than math.Frexp in the sweeps.
	exp := int(math.Float64bits(want)>>52&0x7ff) - 1023
	spacing := math.Float64frombits(uint64(max(exp, -126)-23+1023) << 52)
	return math.Abs(float64(got)-want) / spacing
}

// worst is the largest error seen by an accuracy sweep.
type worst struct {
	ulp float64
	x   float32
	got float32
}

func (w *worst) merge(o worst) {
	if o.ulp > w.ulp {
		*w = o
	}
}

// accuracyCase is a kernel under the accuracy sweep and its float64
// reference.
type accuracyCase struct {
	name   string
	kernel func(y, x []float32)
	ref    func(x float64) float64
	lo, hi float32 // range of every result for non-NaN input
}

var accuracyCases = []accuracyCase{
	{"Sigmoid", kernels.Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 0, 1},
	{"Tanh", kernels.Tanh, math.Tanh, -1, 1},
}

// sweepChunk is the number of inputs per kernel call in the sweeps: a
// multiple of 8 plus 5, so that every call also runs a masked tail.
const sweepChunk = 4096 + 5

// checkChunk runs c on x and returns the largest error, failing the test
// at the first result that is NaN for a non-NaN input, outside [lo, hi],
// or a number for NaN input.
func checkChunk(t *testing.T, c accuracyCase, x, y []float32) worst {
	c.kernel(y, x)
	var w worst
	for i, v := range x {
		got := y[i]
		if v != v {
			if got == got {
				t.Errorf("%s(NaN %#08x) = %v, want NaN", c.name, math.Float32bits(v), got)
			}
			continue
		}
		if got != got || got < c.lo || got > c.hi {
			t.Errorf("%s(%v) = %v, want a number in [%v, %v]", c.name, v, got, c.lo, c.hi)
			continue
		}
		if d := ulpDistance(got, c.ref(float64(v))); d > w.ulp {
			w = worst{d, v, got}
		}
	}
	return w
}

// sweep runs checkChunk on chunks of the inputs that input(i) returns for i in
// [0, count), spread over GOMAXPROCS goroutines, and returns the largest
// error.
func sweep(t *testing.T, c accuracyCase, count uint64, input func(i uint64) float32) worst {
	workers := runtime.GOMAXPROCS(0)
	results := make([]worst, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			x := make([]float32, sweepChunk)
			y := make([]float32, sweepChunk)
			for start := uint64(w) * sweepChunk; start < count; start += uint64(workers) * sweepChunk {
				n := min(sweepChunk, count-start)
				for i := range n {
					x[i] = input(start + i)
				}
				results[w].merge(checkChunk(t, c, x[:n], y[:n]))
			}
		})
	}
	wg.Wait()
	var all worst
	for _, r := range results {
		all.merge(r)
	}
	return all
}

// TestSigmoidTanhULP compares Sigmoid and Tanh with float64 math on every
// 64th float32 bit pattern (every sign, exponent and NaN payload class)
// and on every multiple of 2^-21 in [−1, 1], where tanh's small-argument
// formula and the first range-reduction steps meet. With -short it takes
// every 1024th pattern and every multiple of 2^-16.
func TestSigmoidTanhULP(t *testing.T) {
	useAVX2(t)
	patternStep, gridBits := uint64(64), 21
	if testing.Short() {
		patternStep, gridBits = 1024, 16
	}
	gridStep := math.Ldexp(1, -gridBits)
	for _, c := range accuracyCases {
		t.Run(c.name, func(t *testing.T) {
			patterns := sweep(t, c, (1<<32)/patternStep, func(i uint64) float32 {
				// The odd offset varies the low mantissa bits between
				// exponents instead of testing only multiples of 16.
				return math.Float32frombits(uint32(i*patternStep + i%patternStep))
			})
			t.Logf("%s: bit-pattern sweep: max %.3f ulp at x = %v (%#08x), got %v, float64 %v",
				c.name, patterns.ulp, patterns.x, math.Float32bits(patterns.x), patterns.got, c.ref(float64(patterns.x)))
			require.LessOrEqual(t, patterns.ulp, float64(maxULP), "bit-pattern sweep, worst x = %v", patterns.x)

			grid := sweep(t, c, 2<<gridBits+1, func(i uint64) float32 {
				return float32(-1 + float64(i)*gridStep)
			})
			t.Logf("%s: [-1, 1] grid: max %.3f ulp at x = %v, got %v, float64 %v",
				c.name, grid.ulp, grid.x, grid.got, c.ref(float64(grid.x)))
			require.LessOrEqual(t, grid.ulp, float64(maxULP), "[-1, 1] grid, worst x = %v", grid.x)
		})
	}
}

// TestSigmoidTanhSpecialValues checks the inputs whose results are exact:
// signed zeros, infinities, NaN, and finite values so large that e^|x|
// overflows float32, which must not produce NaN.
func TestSigmoidTanhSpecialValues(t *testing.T) {
	useAVX2(t)
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	tiny := math.Float32frombits(1) // smallest subnormal
	cases := []struct {
		x             float32
		sigmoid, tanh float32
	}{
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
	// Put each input at every position of a 13-element call, so that it
	// goes through the vector loop and the masked tail.
	for _, c := range cases {
		for pos := range 13 {
			x := make([]float32, 13)
			x[pos] = c.x
			y := make([]float32, 13)
			kernels.Sigmoid(y, x)
			require.Equal(t, math.Float32bits(c.sigmoid), math.Float32bits(y[pos]),
				"Sigmoid(%v) at position %d = %v, want %v", c.x, pos, y[pos], c.sigmoid)
			kernels.Tanh(y, x)
			require.Equal(t, math.Float32bits(c.tanh), math.Float32bits(y[pos]),
				"Tanh(%v) at position %d = %v, want %v", c.x, pos, y[pos], c.tanh)
		}
	}
	for pos := range 13 {
		x := make([]float32, 13)
		x[pos] = nan
		y := make([]float32, 13)
		kernels.Sigmoid(y, x)
		require.True(t, y[pos] != y[pos], "Sigmoid(NaN) at position %d = %v", pos, y[pos])
		kernels.Tanh(y, x)
		require.True(t, y[pos] != y[pos], "Tanh(NaN) at position %d = %v", pos, y[pos])
	}
}

// TestSigmoidTanhTailMatchesBody checks that the masked tail computes the
// same bits as the vector loop: each value is computed in a long call and
// again alone, as a 1-element tail.
func TestSigmoidTanhTailMatchesBody(t *testing.T) {
	useAVX2(t)
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 8)
	}
	for _, c := range accuracyCases {
		long := make([]float32, len(x))
		c.kernel(long, x)
		alone := make([]float32, 1)
		for i, v := range x {
			c.kernel(alone, []float32{v})
			require.Equal(t, math.Float32bits(long[i]), math.Float32bits(alone[0]), "%s(%v): tail %v, loop %v", c.name, v, alone[0], long[i])
		}
	}
}

// guard is the value written around every output to catch stray stores.
// It is finite, so that adding a bias to it changes it.
const guard float32 = -1234.5678

const guardLen = 16

// guarded returns a slice of n elements inside a buffer whose guardLen
// elements on each side hold guard, starting offset elements into the
// buffer's first 32-byte line so that every alignment is exercised.
func guarded(n, offset int) (s, buffer []float32) {
	buffer = make([]float32, n+2*guardLen+offset)
	for i := range buffer {
		buffer[i] = guard
	}
	return buffer[guardLen+offset : guardLen+offset+n], buffer
}

// requireGuards fails unless buffer holds guard everywhere outside [lo, hi).
func requireGuards(t *testing.T, buffer []float32, lo, hi int, label string) {
	t.Helper()
	for i, v := range buffer {
		if (i < lo || i >= hi) && math.Float32bits(v) != math.Float32bits(guard) {
			t.Fatalf("%s: element %d outside the output [%d, %d) was overwritten with %v", label, i, lo, hi, v)
		}
	}
}

// sameBits reports whether a and b are the same float32, treating any two
// NaNs as equal.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// specialMix returns n inputs, a third of them special values.
func specialMix(r *rand.Rand, n int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1, -1, 0.5, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32}
	s := make([]float32, n)
	for i := range s {
		if r.IntN(3) == 0 {
			s[i] = specials[r.IntN(len(specials))]
		} else {
			s[i] = float32(r.NormFloat64() * 2)
		}
	}
	return s
}

// exactKernel is a kernel whose AVX2 results must equal package generic's
// bit for bit: selects, and arithmetic done in the same order with the
// same roundings.
type exactKernel struct {
	name          string
	avx2, generic func(out, a, b []float32, slope float32)
}

var exactKernels = []exactKernel{
	{"ReLU", func(y, x, _ []float32, _ float32) { kernels.ReLU(y, x) }, func(y, x, _ []float32, _ float32) { generic.ReLU(y, x) }},
	{"LeakyReLU", func(y, x, _ []float32, s float32) { kernels.LeakyReLU(y, x, s) }, func(y, x, _ []float32, s float32) { generic.LeakyReLU(y, x, s) }},
	{"ReLUGrad", func(dx, dy, y []float32, _ float32) { kernels.ReLUGrad(dx, dy, y) }, func(dx, dy, y []float32, _ float32) { generic.ReLUGrad(dx, dy, y) }},
	{"LeakyReLUGrad", kernels.LeakyReLUGrad, generic.LeakyReLUGrad},
	{"SigmoidGrad", func(dx, dy, y []float32, _ float32) { kernels.SigmoidGrad(dx, dy, y) }, func(dx, dy, y []float32, _ float32) { generic.SigmoidGrad(dx, dy, y) }},
	{"TanhGrad", func(dx, dy, y []float32, _ float32) { kernels.TanhGrad(dx, dy, y) }, func(dx, dy, y []float32, _ float32) { generic.TanhGrad(dx, dy, y) }},
}

// TestExactKernelsMatchGeneric compares the AVX2 select and gradient
// kernels with package generic bit for bit on every length up to 300 and
// every alignment within a 32-byte line, and checks that nothing around
// the output is written.
func TestExactKernelsMatchGeneric(t *testing.T) {
	useAVX2(t)
	slopes := []float32{0.01, 0, 1.5, -0.5}
	for _, k := range exactKernels {
		t.Run(k.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(len(k.name))))
			for n := 0; n <= 300; n++ {
				offset := n % 8
				slope := slopes[n%len(slopes)]
				a, b := specialMix(r, n), specialMix(r, n)
				want := make([]float32, n)
				k.generic(want, a, b, slope)

				out, buffer := guarded(n, offset)
				k.avx2(out, a, b, slope)
				label := fmt.Sprintf("%s n=%d offset=%d", k.name, n, offset)
				requireGuards(t, buffer, guardLen+offset, guardLen+offset+n, label)
				for i := range want {
					if !sameBits(out[i], want[i]) {
						t.Fatalf("%s: [%d] = %v (%#08x), generic %v (%#08x), inputs %v %v",
							label, i, out[i], math.Float32bits(out[i]), want[i], math.Float32bits(want[i]), a[i], b[i])
					}
				}

				// In place: the output is the first input (x or dy).
				inPlace := slices.Clone(a)
				k.avx2(inPlace, inPlace, b, slope)
				for i := range want {
					if !sameBits(inPlace[i], want[i]) {
						t.Fatalf("%s in place: [%d] = %v, generic %v", label, i, inPlace[i], want[i])
					}
				}
			}
		})
	}
}

// TestLongInputsMatchGeneric runs inputs longer than several assembly
// blocks, so that the block boundaries and the last partial block are
// covered.
func TestLongInputsMatchGeneric(t *testing.T) {
	useAVX2(t)
	const n = 3<<16 + 13
	r := rand.New(rand.NewPCG(5, 6))
	a, b := specialMix(r, n), specialMix(r, n)
	for _, k := range exactKernels {
		want := make([]float32, n)
		got := make([]float32, n)
		k.generic(want, a, b, 0.01)
		k.avx2(got, a, b, 0.01)
		for i := range want {
			if !sameBits(got[i], want[i]) {
				t.Fatalf("%s n=%d: [%d] = %v, generic %v", k.name, n, i, got[i], want[i])
			}
		}
	}
	// Sigmoid and Tanh per block must equal the same values computed
	// alone, including across block boundaries.
	for _, c := range accuracyCases {
		got := make([]float32, n)
		c.kernel(got, a)
		for _, i := range []int{0, 1<<16 - 1, 1 << 16, 2<<16 + 7, n - 1} {
			alone := make([]float32, 1)
			c.kernel(alone, a[i:i+1])
			require.True(t, sameBits(got[i], alone[0]), "%s n=%d: [%d] = %v, alone %v", c.name, n, i, got[i], alone[0])
		}
	}
}

// rowShapes are the m×n shapes of the row-kernel tests with ld > n: short
// and odd widths, a width past one vector loop, a block of rows larger
// than one assembly call, and a row wider than one call.
var rowShapes = []struct{ m, n, ld int }{
	{1, 1, 1}, {3, 1, 2}, {2, 7, 9}, {5, 8, 8}, {4, 13, 16}, {7, 33, 40}, {3, 100, 101},
	{300, 257, 259}, {1100, 64, 64}, {3, 70000, 70003},
}

// TestRowKernelsMatchGeneric compares AddBias and SumRows with package
// generic bit for bit, with guard values before, between and after the
// rows, which must survive.
func TestRowKernelsMatchGeneric(t *testing.T) {
	useAVX2(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range rowShapes {
		name := fmt.Sprintf("m=%d/n=%d/ld=%d", s.m, s.n, s.ld)
		span := (s.m-1)*s.ld + s.n
		matrix := specialMix(r, span)
		for i := range s.m {
			for j := s.n; j < s.ld && i*s.ld+j < span; j++ {
				matrix[i*s.ld+j] = guard
			}
		}
		// A bias of ±0 would leave a stray write to a guard invisible.
		vector := specialMix(r, s.n)
		for j, v := range vector {
			if v == 0 {
				vector[j] = 1
			}
		}

		t.Run("AddBias/"+name, func(t *testing.T) {
			want := slices.Clone(matrix)
			generic.AddBias(s.m, s.n, vector, want, s.ld)
			c, buffer := guarded(span, 3)
			copy(c, matrix)
			kernels.AddBias(s.m, s.n, vector, c, s.ld)
			requireGuards(t, buffer, guardLen+3, guardLen+3+span, "AddBias "+name)
			for i := range want {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("AddBias %s: c[%d] = %v, generic %v", name, i, c[i], want[i])
				}
				if i%s.ld >= s.n && c[i] != guard {
					t.Fatalf("AddBias %s: c[%d], between rows, was overwritten with %v", name, i, c[i])
				}
			}
		})

		t.Run("SumRows/"+name, func(t *testing.T) {
			want := make([]float32, s.n)
			generic.SumRows(s.m, s.n, matrix, s.ld, want)
			dst, buffer := guarded(s.n, 5)
			kernels.SumRows(s.m, s.n, matrix, s.ld, dst)
			requireGuards(t, buffer, guardLen+5, guardLen+5+s.n, "SumRows "+name)
			for j := range want {
				if !sameBits(dst[j], want[j]) {
					t.Fatalf("SumRows %s: dst[%d] = %v, generic %v", name, j, dst[j], want[j])
				}
			}
		})
	}
}
