package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// slopes are the LeakyReLU slopes the tests cycle through: the usual small
// ones, and 0, a slope above 1 and a negative one, for which max(x, s·x)
// is not LeakyReLU.
var slopes = []float32{0.01, 0.2, 1.5, 0, -0.5}

const (
	// maxSweepLen is the longest vector of the length sweep: several vector
	// bodies of any width, unrolled by up to 4.
	maxSweepLen = 300
	// maxEveryOffsetLen is the longest vector that the sweep runs at every
	// offset: every tail of a 16-lane vector unrolled by 4 meets every
	// misalignment. Longer vectors run at two offsets each, which together
	// cycle through all sixteen.
	maxEveryOffsetLen = 70
)

// sweepOffsets returns the output offsets at which the sweep runs length n.
func sweepOffsets(n int) []int {
	if n <= maxEveryOffsetLen {
		return sequence(0, maxOffset)
	}
	return []int{n % alignLen, (7*n + 3) % alignLen}
}

// testElementwise calls every elementwise kernel on every length up to
// maxSweepLen at several output and input offsets, with separate and
// in-place output, on random inputs that include special values.
func testElementwise(t *testing.T, k Kernels) {
	for i, e := range elementwiseKernels() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			r := newRand(uint64(100 + i))
			for n := 0; n <= maxSweepLen; n++ {
				for _, offset := range sweepOffsets(n) {
					a, b := e.sample(r, n)
					c := elementwiseCall{
						outOffset: offset,
						aOffset:   (3*offset + n) % alignLen,
						bOffset:   (5*offset + 2*n + 7) % alignLen,
						slope:     slopes[(n+offset)%len(slopes)],
					}
					for _, inPlace := range []bool{false, true} {
						c.inPlace = inPlace
						_, err := e.run(k, c, a, b)
						require.NoError(t, err)
					}
				}
			}
		})
	}
}

// outcome is one cell of the special-value table.
type outcome int

const (
	isPosZero   outcome = iota // +0
	isNegZero                  // -0
	isZero                     // +0 or -0: a product whose sign the table leaves open
	isNaNValue                 // any NaN
	isPosInf                   // +Inf
	isNegInf                   // -Inf
	isOne                      // 1
	isMinusOne                 // -1
	isHalf                     // 0.5
	isDY                       // dy, bit for bit
	isSlopeDY                  // slope·dy, rounded once
	isQuarterDY                // 0.25·dy
)

// matches reports whether got is the outcome for the given dy and slope.
func (o outcome) matches(got, dy, slope float32) bool {
	switch o {
	case isPosZero:
		return math.Float32bits(got) == 0
	case isNegZero:
		return math.Float32bits(got) == math.Float32bits(negZero)
	case isZero:
		return got == 0
	case isNaNValue:
		return isNaN(got)
	case isPosInf:
		return got == inf
	case isNegInf:
		return got == -inf
	case isOne:
		return got == 1
	case isMinusOne:
		return got == -1
	case isHalf:
		return got == 0.5
	case isDY:
		return sameBits(got, dy)
	case isSlopeDY:
		return sameBits(got, slope*dy)
	case isQuarterDY:
		return sameBits(got, 0.25*dy)
	}
	panic(fmt.Sprintf("conformance: unknown outcome %d", o))
}

func (o outcome) String() string {
	return [...]string{"+0", "-0", "0", "NaN", "+Inf", "-Inf", "1", "-1", "0.5",
		"dy", "slope·dy", "0.25·dy"}[o]
}

// specialXs are the forward inputs of the special-value table, in the order
// of its columns below.
var specialXs = [5]float32{negZero, 0, nan, inf, -inf}

// specialTable is the special-value table that every path shares, which
// follows PyTorch 1.13 on the CPU: for each kernel, its result for the
// forward inputs -0, +0, NaN, +Inf and -Inf. A gradient kernel gets y =
// f(x) from specialYs and a finite dy. The ReLU gradient is a select, so
// its zeros are +0; the table leaves the sign of the zeros of products
// open. Tanh is odd, so tanh(±0) = ±0, as IEEE 754 and C's tanh give.
var specialTable = map[string][5]outcome{
	"ReLU":          {isNegZero, isPosZero, isNaNValue, isPosInf, isPosZero},
	"LeakyReLU":     {isNegZero, isPosZero, isNaNValue, isPosInf, isNegInf},
	"Sigmoid":       {isHalf, isHalf, isNaNValue, isOne, isZero},
	"Tanh":          {isNegZero, isPosZero, isNaNValue, isOne, isMinusOne},
	"ReLUGrad":      {isPosZero, isPosZero, isDY, isDY, isPosZero},
	"LeakyReLUGrad": {isSlopeDY, isSlopeDY, isSlopeDY, isDY, isSlopeDY},
	"SigmoidGrad":   {isQuarterDY, isQuarterDY, isNaNValue, isZero, isZero},
	"TanhGrad":      {isDY, isDY, isNaNValue, isZero, isZero},
}

// specialYs are the forward outputs y = f(x) for specialXs, which the
// gradient kernels take.
var specialYs = map[string][5]float32{
	"ReLUGrad":      {negZero, 0, nan, inf, 0},
	"LeakyReLUGrad": {negZero, 0, nan, inf, -inf},
	"SigmoidGrad":   {0.5, 0.5, nan, 1, 0},
	"TanhGrad":      {negZero, 0, nan, 1, -1},
}

// specialLengths are the vector lengths of the special-value test: bodies
// and tails of 4-, 8- and 16-lane vectors.
var specialLengths = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100}

// moderate returns a value in [-8, 8), never subnormal or zero, so that the
// table's products of dy are exact in any order of evaluation.
func moderate(r *rand.Rand) float32 {
	for {
		if v := float32(r.Float64()*16 - 8); math.Abs(float64(v)) >= 1.0/1024 {
			return v
		}
	}
}

// testSpecialValues checks the special-value table with each special value
// at every position of vectors of several lengths, among moderate values,
// and in vectors that hold nothing else.
func testSpecialValues(t *testing.T, k Kernels) {
	for i, e := range elementwiseKernels() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			r := newRand(uint64(200 + i))
			cells := specialTable[e.name]
			for col, x := range specialXs {
				special := x
				if e.grad {
					special = specialYs[e.name][col]
				}
				for _, n := range specialLengths {
					for p := -1; p < n; p++ {
						// p = -1 fills the whole vector with the special value.
						a, b := make([]float32, n), make([]float32, n)
						for j := range a {
							a[j] = moderate(r)
							if e.grad {
								b[j] = e.sampleY(r)
							}
							if p == -1 || j == p {
								if e.grad {
									b[j] = special
								} else {
									a[j] = special
								}
							}
						}
						c := elementwiseCall{
							outOffset: (p + 1) % alignLen,
							aOffset:   (p + n) % alignLen,
							bOffset:   (2*p + 3) % alignLen,
							slope:     slopes[(p+1)%2],
						}
						if !e.grad {
							b = nil
						}
						out, err := e.run(k, c, a, b)
						require.NoError(t, err, "x = %s", format(x))
						for j := range out {
							if p != -1 && j != p {
								continue
							}
							inputs := "x = " + format(x)
							if e.grad {
								inputs += fmt.Sprintf(", y = %s, dy = %s", format(special), format(a[j]))
							}
							require.Truef(t, cells[col].matches(out[j], a[j], c.slope),
								"%s: out[%d] = %s for %s, want %v",
								e.describe(n, c), j, format(out[j]), inputs, cells[col])
						}
					}
				}
			}
		})
	}
}

// testReLUGradSelect checks that ReLUGrad selects rather than multiplies:
// an inactive unit (y ≤ 0) gets +0 even when dy is infinite or NaN, and an
// active one (y > 0 or NaN) passes dy through.
func testReLUGradSelect(t *testing.T, k Kernels) {
	inactive := []float32{negZero, 0, -inf, -1, -1e-30, -math.SmallestNonzeroFloat32, -math.MaxFloat32}
	active := []float32{math.SmallestNonzeroFloat32, 1, math.MaxFloat32, inf, nan}
	dys := []float32{inf, -inf, nan}
	type pair struct{ y, dy float32 }
	var pairs []pair
	for _, dy := range dys {
		for _, y := range append(append([]float32(nil), inactive...), active...) {
			pairs = append(pairs, pair{y, dy})
		}
	}
	for _, n := range []int{1, 3, 8, 15, 16, 17, 33, 64, 100} {
		for shift := range pairs {
			y, dy, dx := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range y {
				p := pairs[(i+shift)%len(pairs)]
				y[i], dy[i] = p.y, p.dy
			}
			for i := range dx {
				dx[i] = outputGuard
			}
			k.ReLUGrad(dx, dy, y)
			for i := range dx {
				if y[i] <= 0 {
					require.Equalf(t, uint32(0), math.Float32bits(dx[i]),
						"ReLUGrad n=%d: dx[%d] = %s for inactive y = %s and dy = %s, want +0",
						n, i, format(dx[i]), format(y[i]), format(dy[i]))
				} else {
					require.Truef(t, sameBits(dx[i], dy[i]),
						"ReLUGrad n=%d: dx[%d] = %s for active y = %s, want dy = %s",
						n, i, format(dx[i]), format(y[i]), format(dy[i]))
				}
			}
		}
	}
}

// saturationValues are finite inputs at which a vectorised exp or tanh
// overflows, underflows or saturates: float32 exp overflows above
// ln(MaxFloat32) ≈ 88.72, its result is subnormal below -87.34 and zero
// below -103.97, and tanh rounds to ±1 above about 9.01.
var saturationValues = []float32{
	1e30, 88.8, 89, 1e4, math.MaxFloat32, 88.72283, 88.72284, 87.33654, 87.33655,
	103.97, 104, 9.01, 44.36, 20, 15, 3, 0.5, 1e-4, 1e-7, 1e-30,
	math.SmallestNonzeroFloat32, 1e6, 200, 1000, 50, 30,
}

// testSaturation checks Sigmoid and Tanh, and their gradients at the
// saturated outputs, on inputs of huge magnitude in every position of
// vectors of several lengths: results stay within tolerance and in range,
// and never NaN.
func testSaturation(t *testing.T, k Kernels) {
	var values []float32
	for _, v := range saturationValues {
		values = append(values, v, -v)
	}
	for i, e := range elementwiseKernels() {
		if e.name != "Sigmoid" && e.name != "Tanh" && e.name != "SigmoidGrad" && e.name != "TanhGrad" {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			r := newRand(uint64(300 + i))
			for _, n := range []int{1, 7, 16, 17, 33, len(values) + 13} {
				for shift := range values {
					a, b := make([]float32, n), make([]float32, n)
					for j := range a {
						x := values[(j+shift)%len(values)]
						a[j] = x
						if e.grad {
							a[j] = moderate(r)
							b[j] = float32(e.forward(float64(x), 0))
						}
					}
					if !e.grad {
						b = nil
					}
					c := elementwiseCall{outOffset: shift % alignLen, aOffset: (shift + n) % alignLen}
					out, err := e.run(k, c, a, b)
					require.NoError(t, err)
					for j, v := range out {
						require.Falsef(t, isNaN(v), "%s: out[%d] is NaN for finite input",
							e.describe(n, c), j)
					}
				}
			}
		})
	}
}

// longLen is the length of the long-input test. A path that works in
// bounded blocks (package kernels uses 64 Ki elements) needs more than one
// for it, and the last block has a tail because the length is odd.
const longLen = 100_003

// testLongInputs runs every elementwise kernel on a vector of longLen
// elements, separate and in place.
func testLongInputs(t *testing.T, k Kernels) {
	for i, e := range elementwiseKernels() {
		t.Run(e.name, func(t *testing.T) {
			r := newRand(uint64(400 + i))
			a, b := e.sample(r, longLen)
			for _, c := range []elementwiseCall{
				{outOffset: 3, aOffset: 5, bOffset: 9, slope: 0.2},
				{outOffset: 7, inPlace: true, bOffset: 1, slope: 0.01},
			} {
				_, err := e.run(k, c, a, b)
				require.NoError(t, err)
			}
		})
	}
}
