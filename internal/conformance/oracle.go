package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// u32 is the unit roundoff of float32, 2⁻²⁴: half the distance from 1 to the
// next float32.
const u32 = 1.0 / (1 << 24)

// tolerance is the rule by which an elementwise result is compared with
// the float64 oracle.
type tolerance int

const (
	// exact: the same bits as the oracle rounded to float32, with NaN equal
	// to NaN. ReLU, LeakyReLU and their gradients select or do one multiply,
	// which every path rounds the same way.
	exact tolerance = iota
	// sigmoidTolerance: within 4 ulp, or within 2⁻¹²⁶ so that a result in
	// the subnormal range may be flushed to zero, and inside [0, 1].
	sigmoidTolerance
	// tanhTolerance: within 4 ulp, or within 1e-7 absolute, which near
	// zero allows the cancellation of tanh(x) = 1 − 2/(e^2x + 1), and
	// inside [-1, 1].
	tanhTolerance
	// sigmoidGradTolerance: within 4 ulp of dy·y·(1−y), which a float32
	// evaluation that forms 1−y directly (or y−y² with FMA) meets; forming
	// y² and subtracting it without FMA does not, near y = 1.
	sigmoidGradTolerance
	// tanhGradTolerance: within 4 ulp of dy·(1−y²) plus 2·u32·|dy|·y². The
	// second term allows the rounding of y² before the subtraction, which
	// the plain float32 evaluation of the formula incurs and FMA avoids.
	tanhGradTolerance
)

// elementwise describes one elementwise kernel: how to call it, its float64
// oracle and the tolerance of its results.
type elementwise struct {
	name  string
	grad  bool // takes (dx, dy, y) rather than (y, x)
	leaky bool // takes a slope
	tol   tolerance
	// call runs the kernel with a = x for a forward kernel, or a = dy and
	// b = y for a gradient.
	call func(k Kernels, out, a, b []float32, slope float32)
	// want is the float64 oracle, with the same arguments as call.
	want func(a, b, slope float64) float64
	// forward is the oracle of the forward kernel whose output a gradient
	// takes; nil for forward kernels.
	forward func(x, slope float64) float64
	// sampleY draws a y for a gradient: any value for ReLU and LeakyReLU,
	// values in the range of the function for Sigmoid and Tanh.
	sampleY func(r *rand.Rand) float32
}

// Oracles, in float64. Products of two float32 values are exact in float64,
// so rounding these to float32 gives the correctly rounded float32 result.

func reluWant(x, _, _ float64) float64 {
	if x < 0 {
		return 0
	}
	return x
}

func leakyReLUWant(x, _, slope float64) float64 {
	if x > 0 {
		return x
	}
	return slope * x
}

func sigmoidWant(x, _, _ float64) float64 { return 1 / (1 + math.Exp(-x)) }

func tanhWant(x, _, _ float64) float64 { return math.Tanh(x) }

func reluGradWant(dy, y, _ float64) float64 {
	if y <= 0 {
		return 0
	}
	return dy
}

func leakyReLUGradWant(dy, y, slope float64) float64 {
	if y > 0 {
		return dy
	}
	return slope * dy
}

func sigmoidGradWant(dy, y, _ float64) float64 { return dy * y * (1 - y) }

func tanhGradWant(dy, y, _ float64) float64 { return dy * (1 - y*y) }

// forwardOnly drops the unused second argument of a forward oracle.
func forwardOnly(f func(x, _, slope float64) float64) func(x, slope float64) float64 {
	return func(x, slope float64) float64 { return f(x, 0, slope) }
}

// elementwiseKernels returns descriptions of the eight elementwise kernels.
func elementwiseKernels() []*elementwise {
	anyY := mixedValue
	return []*elementwise{
		{
			name: "ReLU", tol: exact, want: reluWant,
			call: func(k Kernels, out, a, _ []float32, _ float32) { k.ReLU(out, a) },
		},
		{
			name: "LeakyReLU", leaky: true, tol: exact, want: leakyReLUWant,
			call: func(k Kernels, out, a, _ []float32, s float32) { k.LeakyReLU(out, a, s) },
		},
		{
			name: "Sigmoid", tol: sigmoidTolerance, want: sigmoidWant,
			call: func(k Kernels, out, a, _ []float32, _ float32) { k.Sigmoid(out, a) },
		},
		{
			name: "Tanh", tol: tanhTolerance, want: tanhWant,
			call: func(k Kernels, out, a, _ []float32, _ float32) { k.Tanh(out, a) },
		},
		{
			name: "ReLUGrad", grad: true, tol: exact, want: reluGradWant,
			forward: forwardOnly(reluWant), sampleY: anyY,
			call: func(k Kernels, out, a, b []float32, _ float32) { k.ReLUGrad(out, a, b) },
		},
		{
			name: "LeakyReLUGrad", grad: true, leaky: true, tol: exact, want: leakyReLUGradWant,
			forward: forwardOnly(leakyReLUWant), sampleY: anyY,
			call: func(k Kernels, out, a, b []float32, s float32) { k.LeakyReLUGrad(out, a, b, s) },
		},
		{
			name: "SigmoidGrad", grad: true, tol: sigmoidGradTolerance, want: sigmoidGradWant,
			forward: forwardOnly(sigmoidWant),
			sampleY: func(r *rand.Rand) float32 { return float32(sigmoidWant(float64(mixedValue(r)), 0, 0)) },
			call:    func(k Kernels, out, a, b []float32, _ float32) { k.SigmoidGrad(out, a, b) },
		},
		{
			name: "TanhGrad", grad: true, tol: tanhGradTolerance, want: tanhGradWant,
			forward: forwardOnly(tanhWant),
			sampleY: func(r *rand.Rand) float32 { return float32(tanhWant(float64(mixedValue(r)), 0, 0)) },
			call:    func(k Kernels, out, a, b []float32, _ float32) { k.TanhGrad(out, a, b) },
		},
	}
}

// ulp32 returns the distance between adjacent float32 values at |v|: the
// unit in the last place of a float32 of that magnitude, and 2⁻¹⁴⁹ in the
// subnormal range.
func ulp32(v float64) float64 {
	a := math.Abs(v)
	if a < float64(minNormal) {
		return math.SmallestNonzeroFloat32
	}
	_, exp := math.Frexp(a) // a = frac·2^exp with frac in [0.5, 1)
	return math.Ldexp(1, exp-24)
}

// accept reports whether got is an acceptable result for the oracle value
// want, computed from the inputs a and b.
func (e *elementwise) accept(got float32, want, a, b float64) bool {
	want32 := float32(want)
	if e.tol == exact || isNaN(want32) || isNaN(got) || math.IsInf(float64(want32), 0) {
		return sameBits(got, want32)
	}
	diff := math.Abs(float64(got) - want)
	ulps := 4 * ulp32(want)
	switch e.tol {
	case sigmoidTolerance:
		return got >= 0 && got <= 1 && (diff <= ulps || diff <= float64(minNormal))
	case tanhTolerance:
		return got >= -1 && got <= 1 && (diff <= ulps || diff <= 1e-7)
	case sigmoidGradTolerance:
		return diff <= ulps
	case tanhGradTolerance:
		return diff <= ulps+2*u32*math.Abs(a)*b*b
	}
	panic(fmt.Sprintf("conformance: unknown tolerance %d", e.tol))
}

// checkOutput compares the output of one call with the oracle and returns
// an error that names the first element out of tolerance and counts the
// others. a and b are the inputs as call takes them.
func (e *elementwise) checkOutput(out, a, b []float32, slope float32) error {
	bad, first := 0, -1
	var firstWant float64
	for i, got := range out {
		var bi float64
		if e.grad {
			bi = float64(b[i])
		}
		want := e.want(float64(a[i]), bi, float64(slope))
		if !e.accept(got, want, float64(a[i]), bi) {
			if bad == 0 {
				first, firstWant = i, want
			}
			bad++
		}
	}
	if bad == 0 {
		return nil
	}
	inputs := "x = " + format(a[first])
	if e.grad {
		inputs = "dy = " + format(a[first]) + ", y = " + format(b[first])
	}
	return fmt.Errorf("out[%d] = %s, want %s for %s (%d of %d elements wrong)",
		first, format(out[first]), format(float32(firstWant)), inputs, bad, len(out))
}

// elementwiseCall places one call of an elementwise kernel in guarded
// buffers.
type elementwiseCall struct {
	// outOffset, aOffset and bOffset place the output and the two inputs
	// that many elements after a 64-byte boundary.
	outOffset, aOffset, bOffset int
	// inPlace passes the output slice as x (forward) or dy (gradient).
	inPlace bool
	slope   float32
}

// describe names the call in failure messages.
func (e *elementwise) describe(n int, c elementwiseCall) string {
	s := fmt.Sprintf("%s n=%d offsets out/x=%d/%d in-place=%t", e.name, n, c.outOffset, c.aOffset, c.inPlace)
	if e.grad {
		s = fmt.Sprintf("%s n=%d offsets dx/dy/y=%d/%d/%d in-place=%t",
			e.name, n, c.outOffset, c.aOffset, c.bOffset, c.inPlace)
	}
	if e.leaky {
		s += fmt.Sprintf(" slope=%g", c.slope)
	}
	return s
}

// run calls the kernel on copies of a (x or dy) and b (y, gradients only)
// in guarded buffers and checks the output against the oracle, the guards
// around the output and that the inputs are unchanged. It returns the
// output.
func (e *elementwise) run(k Kernels, c elementwiseCall, a, b []float32) ([]float32, error) {
	n := len(a)
	out := newBuffer(n, c.outOffset, outputGuard)
	aBuf := newBuffer(n, c.aOffset, inputGuard)
	copy(aBuf.s, a)
	aArg := aBuf.s
	if c.inPlace {
		copy(out.s, a)
		aArg = out.s
	}
	var bBuf *buffer
	var bArg []float32
	if e.grad {
		bBuf = newBuffer(n, c.bOffset, inputGuard)
		copy(bBuf.s, b)
		bArg = bBuf.s
	}
	outBefore, aBefore := out.snapshot(), aBuf.snapshot()
	var bBefore []float32
	if bBuf != nil {
		bBefore = bBuf.snapshot()
	}

	e.call(k, out.s, aArg, bArg, c.slope)

	fail := func(err error) ([]float32, error) {
		return nil, fmt.Errorf("%s: %w", e.describe(n, c), err)
	}
	if err := out.checkUnchanged("out", outBefore, func(int) bool { return true }); err != nil {
		return fail(err)
	}
	if err := aBuf.checkUnchanged(e.inputName(0), aBefore, nil); err != nil {
		return fail(err)
	}
	if bBuf != nil {
		if err := bBuf.checkUnchanged("y", bBefore, nil); err != nil {
			return fail(err)
		}
	}
	if err := e.checkOutput(out.s, a, b, c.slope); err != nil {
		return fail(err)
	}
	return out.s, nil
}

// inputName returns the parameter name of input a (i = 0) or b (i = 1).
func (e *elementwise) inputName(i int) string {
	switch {
	case !e.grad:
		return "x"
	case i == 0:
		return "dy"
	}
	return "y"
}

// sample returns n random inputs for the kernel: x, or dy and y.
func (e *elementwise) sample(r *rand.Rand, n int) (a, b []float32) {
	a = make([]float32, n)
	for i := range a {
		a[i] = mixedValue(r)
	}
	if !e.grad {
		return a, nil
	}
	b = make([]float32, n)
	for i := range b {
		b[i] = e.sampleY(r)
	}
	return a, b
}
