package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Sigmoid and tanh share one approximation of e^z, vectorised without
// tables or gathers.
//
// Range reduction. z = n·ln2 + r with n = round(z·log2(e)) and |r| ≤ ln2/2
// (a little more where z·log2(e) rounds across a half). A fused
// multiply-add of z·log2(e) with 1.5·2^23 rounds to the integer n and
// leaves n in the low bits of the result (expReduce). r comes from two
// more, r = (z − n·ln2hi) − n·ln2lo, where ln2hi is ln2 rounded to float32
// and ln2lo is the float32 nearest ln2 − ln2hi (a Cody–Waite split). The
// first step is exact: for n ≠ 0, z and n·ln2hi are multiples of 2^-24
// and their difference is below 0.5, so it fits in float32's 24 bits. The
// part of ln2 that the split leaves out (about 6e-17) times |n| ≤ 160
// moves r by at most 1e-14.
//
// Polynomial. e^r = 1 + r + r²·g(r), where g is the degree-4 polynomial
// that interpolates (e^r − 1 − r)/r² at the 5 Chebyshev nodes of
// [−ln2/2, ln2/2], so e^r is approximated to degree 6. expCoefficients
// computes g when the generator runs; rounded to float32 it is
//
//	g(r) = 0.5 + 0.16666578·r + 0.041666556·r² + 0.008363173·r³ + 0.0013926176·r⁴
//
// With these float32 coefficients, 1 + r + r²·g(r) is within 1.6e-8 of e^r
// (relative, 0.27 ulp at 1) for |r| up to 2% past ln2/2, so the float32
// roundings of the evaluation dominate. Computing e^r − 1 as r + r²·g(r) keeps it accurate
// to the last bits for small r, which tanh needs.
//
// Scaling. 2^k is built by adding 127 to k in the low bits and shifting it
// into the exponent field. Sigmoid needs e^z for z down to −104, where the
// result is subnormal and 2^n is not a float32, so it multiplies by
// 2^(n+64), exact because the product stays normal, and then by 2^-64,
// which rounds once, to the subnormal result where there is one.
//
// Sigmoid. With t = e^−|x| (z = −|x| clamped to −110, where t is 0 in
// float32), sigmoid(x) = 1/(1+t) for x ≥ 0 and t/(1+t) for x < 0: one
// division, no overflow, and no cancellation on either side.
//
// Tanh. With a = |x| clamped to 10 (tanh rounds to 1 in float32 above
// 9.1) and m = e^(2a) − 1 = 2^n·(e^r − 1) + (2^n − 1), tanh(x) =
// sign(x)·m/(m+2). This is 1 − 2/(e^(2a)+1) rearranged so that small a
// does not cancel: for 2a < ln2/2, n = 0 and m = e^r − 1 with r = 2a
// exactly, so m/(m+2) keeps the relative accuracy of m; tanh(±0) is ±0,
// and subnormal x give x back.
//
// Special values. A NaN input stays NaN through every step: the clamps use
// VMAXPS and VMINPS with the input as their second source, which those
// instructions return when either source is NaN, and arithmetic on NaN
// gives NaN whatever 2^n becomes. ±Inf clamp to the ends of the ranges
// above and give 1 or 0 (sigmoid) and ±1 (tanh). Finite inputs of any size
// clamp the same way, so none gives NaN.
//
// Measured error over all 2^32 float32 inputs, against 1/(1+math.Exp(−x))
// and math.Tanh in float64 and in units of the float32 spacing at the
// float64 result: sigmoid at most 2.40 ulp (at x = −4.157294), tanh at
// most 2.47 ulp (at x = 0.12559934). TestSigmoidTanhULP in package kernels
// repeats the check on every 64th bit pattern and a fine grid of [−1, 1].

// expCoefficients returns the coefficients of g, lowest degree first: the
// polynomial of the given degree that interpolates
// (e^r − 1 − r)/r² at the Chebyshev nodes of [−a, a]. Interpolation at
// Chebyshev nodes comes within a small factor of the minimax error, and
// the result depends only on float64 arithmetic, so every run of the
// generator writes the same constants.
func expCoefficients(degree int, a float64) []float64 {
	n := degree + 1
	// The augmented Vandermonde system V·c = g(nodes), solved by
	// Gauss–Jordan elimination with partial pivoting.
	system := make([][]float64, n)
	for i := range system {
		node := a * math.Cos((2*float64(i)+1)*math.Pi/(2*float64(n)))
		row := make([]float64, n+1)
		power := 1.0
		for j := 0; j < n; j++ {
			row[j] = power
			power *= node
		}
		row[n] = expSeriesTail(node)
		system[i] = row
	}
	for col := 0; col < n; col++ {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(system[r][col]) > math.Abs(system[pivot][col]) {
				pivot = r
			}
		}
		system[col], system[pivot] = system[pivot], system[col]
		for r := 0; r < n; r++ {
			if r == col {
				continue
			}
			f := system[r][col] / system[col][col]
			for j := col; j <= n; j++ {
				system[r][j] -= f * system[col][j]
			}
		}
	}
	c := make([]float64, n)
	for i := range c {
		c[i] = system[i][n] / system[i][i]
	}
	return c
}

// expSeriesTail returns (e^r − 1 − r)/r² = Σ r^k/(k+2)! from its Taylor
// series, which converges fast for |r| < 1 and, unlike the closed form,
// does not cancel near 0.
func expSeriesTail(r float64) float64 {
	sum, term := 0.0, 0.5
	for k := 0; k < 30; k++ {
		sum += term
		term *= r / float64(k+3)
	}
	return sum
}

var (
	ln2hi = float32(math.Ln2)
	ln2lo = float32(math.Ln2 - float64(ln2hi))

	constOne     = f32("one", 1)
	constTwo     = f32("two", 2)
	constSign    = u32("signbit", 0x80000000)
	constAbs     = u32("absmask", 0x7fffffff)
	constLog2E   = f32("log2e", math.Log2E)
	constLn2Hi   = f32("ln2hi", ln2hi)
	constLn2Lo   = f32("ln2lo", ln2lo)
	constShifter = f32("shifter", 1.5*(1<<23))
	constBias    = u32("exponentbias", 127)
	constBias64  = u32("exponentbias64", 127+64)
	constTwoM64  = f32("twom64", 1.0/(1<<64))
	constSigMin  = f32("sigmoidmin", -110)
	constTanhMax = f32("tanhmax", 10)

	// constG holds g's coefficients, lowest degree first.
	constG = func() []vecConst {
		c := expCoefficients(4, math.Ln2/2)
		g := make([]vecConst, len(c))
		for i, v := range c {
			g[i] = f32("expg"+string(rune('0'+i)), float32(v))
		}
		return g
	}()
)

// expReduce returns r = z − n·ln2 for n = round(z·log2(e)), overwriting
// z, and t, a float whose bit pattern holds n in its low bits. t is
// z·log2(e) + 1.5·2^23 rounded to float32: at that magnitude the spacing
// of float32 is 1, so the fused multiply-add rounds z·log2(e) to the
// nearest integer n, and t's bits are those of 1.5·2^23 plus n. That gives
// n as a float (t − 1.5·2^23, exact) and as an integer without a
// conversion, for |n| < 2^22.
func expReduce(z VecVirtual) (t, r VecVirtual) {
	t = YMM()
	VMOVUPS(vector(constShifter), t)
	VFMADD231PS(vector(constLog2E), z, t)
	n := YMM()
	VSUBPS(vector(constShifter), t, n)
	VFNMADD231PS(vector(constLn2Hi), n, z)
	VFNMADD231PS(vector(constLn2Lo), n, z)
	return t, z
}

// expm1Reduced returns e^r − 1 = r + r²·g(r) in a new register, evaluating
// g by Estrin's scheme, (g0 + g1·r) + r²·((g2 + g3·r) + r²·g4), whose
// chain of dependent operations is three fused multiply-adds long instead
// of Horner's four. The long bodies of sigmoid and tanh are limited by
// latency more than by throughput: in the Horner form, tanh ran at 1.4 G
// elements/s on Zen 2.
func expm1Reduced(r VecVirtual) VecVirtual {
	if len(constG) != 5 {
		panic("expm1Reduced evaluates a polynomial of degree 4")
	}
	r2 := YMM()
	VMULPS(r, r, r2)
	low := YMM()
	VMOVUPS(vector(constG[0]), low)
	VFMADD231PS(vector(constG[1]), r, low)
	high := YMM()
	VMOVUPS(vector(constG[2]), high)
	VFMADD231PS(vector(constG[3]), r, high)
	VFMADD231PS(vector(constG[4]), r2, high)
	VFMADD231PS(high, r2, low) // g(r)
	VFMADD213PS(r, r2, low)    // r + r²·g(r)
	return low
}

// pow2 turns the t of expReduce into 2^(n+k), where k is the exponent
// offset encoded in bias (127 + k), overwriting t. Adding bias to the low
// bits gives n + bias there; shifting them into the exponent field drops
// the bits of 1.5·2^23, because its low 9 bits are zero.
func pow2(t VecVirtual, bias vecConst) VecVirtual {
	VPADDD(vector(bias), t, t)
	VPSLLD(U8(23), t, t)
	return t
}

// sigmoidBody computes out = 1/(1+e^−x) as described at the top of the
// file.
func sigmoidBody(in []Op, out VecVirtual, k *constants) {
	x := toReg(in[0])
	z := YMM()
	VORPS(vector(constSign), x, z) // −|x|
	VMAXPS(z, k.register(constSigMin), z)
	t, r := expReduce(z)
	p := expm1Reduced(r)
	VADDPS(vector(constOne), p, p) // e^r

	// e^z = e^r·2^(n+64)·2^-64: the first factor is normal for every n in
	// [−159, 0], so the first product is exact and the second rounds
	// once, to a subnormal result when e^z is one.
	VMULPS(pow2(t, constBias64), p, p)
	VMULPS(vector(constTwoM64), p, p) // e^−|x|

	den := YMM()
	VADDPS(vector(constOne), p, den)
	num := YMM()
	// The sign bit of x selects e^−|x|, else 1.
	VBLENDVPS(x, p, k.register(constOne), num)
	VDIVPS(den, num, out)
}

// tanhBody computes out = tanh(x) as described at the top of the file.
func tanhBody(in []Op, out VecVirtual, k *constants) {
	x := toReg(in[0])
	z := YMM()
	VANDPS(vector(constAbs), x, z)
	VMINPS(z, k.register(constTanhMax), z)
	VADDPS(z, z, z) // 2a
	t, r := expReduce(z)
	m := expm1Reduced(r)

	// m = 2^n·(e^r − 1) + (2^n − 1) = e^(2a) − 1.
	s := pow2(t, constBias)
	sm1 := YMM()
	VSUBPS(vector(constOne), s, sm1)
	VFMADD213PS(sm1, s, m)

	den := YMM()
	VADDPS(vector(constTwo), m, den)
	VDIVPS(den, m, m)
	sign := YMM()
	VANDPS(vector(constSign), x, sign)
	VORPS(sign, m, out)
}
