package main

// Sigmoid and tanh share one approximation of e^z, built from lane-wise
// NEON arithmetic with no table lookups.
//
// Range reduction (Cody–Waite). n = round(z·log2(e)), to nearest with ties
// to even (FRINTN), and r = z − n·ln2 with |r| ≤ ln2/2 plus a rounding
// margin. ln2 is split into ln2hi, ln2 rounded to float32, and ln2lo, the
// float32 nearest ln2 − ln2hi, and r = (z − n·ln2hi) − n·ln2lo is two
// fused multiply-subtracts (FMLS by element). The first one is exact: n ≠
// 0 only for |z| > 0.34, so z and n·ln2hi are multiples of 2^-25, and
// their difference, below 0.5 in magnitude, fits in 24 bits. What the
// split leaves out of ln2, 8.8e-17, times |n| ≤ 160 moves r by at most
// 1.4e-14.
//
// Polynomial. e^r = 1 + r + r²·g(r), where g is the degree-4 polynomial
// that interpolates (e^r − 1 − r)/r² at the five Chebyshev nodes of
// [−ln2/2, ln2/2]; expCoefficients computes it when the generator runs.
// With its coefficients rounded to float32, the truncation error is below
// 9.8e-9 relative to e^r on that interval (at most 0.17 ulp), so the
// float32 roundings of the evaluation dominate. Horner's rule runs as DUP of a coefficient then FMLA, and
// e^r − 1 is formed as r + r·(r·g), which keeps it accurate to the last
// bits for small r, as tanh needs.
//
// Scaling. 2^n is (n + 127) << 23 as an integer, reinterpreted as float32.
// Sigmoid needs e^z down to z = −104, where the result is subnormal and
// 2^n is below the smallest normal float32, so it multiplies by 2^h, h =
// n >> 1 (arithmetic), and then by 2^(n−h). The first product is exact and
// the second rounds once, to the subnormal result.
//
// Sigmoid. With t = e^−|x|, where −|x| is clamped to −110 (e^−110 rounds
// to 0 in float32), sigmoid(x) = 1/(1+t) for x ≥ 0 and t/(1+t) for x < 0:
// one division, no overflow and no cancellation on either side. The sign
// bit of x, spread to a mask by CMLT #0, selects the numerator.
//
// Tanh. With a = |x| clamped to 10 (tanh rounds to 1 in float32 above
// 9.1) and m = e^(2a) − 1 = 2^n·(e^r − 1) + (2^n − 1), one FMLA,
// tanh(x) = sign(x)·m/(m + 2). This is 1 − 2/(e^(2a) + 1) rearranged so
// that small a does not cancel: for 2a < ln2/2, n = 0 and r = 2a exactly,
// so m/(m + 2) keeps m's relative accuracy, tanh(±0) is ±0 and subnormal
// x give x back. BIT copies the sign bit of x into the quotient.
//
// Special values. FMAX and FMIN return NaN when either operand is NaN, so
// the clamps keep a NaN input, and arithmetic on it stays NaN whatever
// 2^n becomes (FCVTZS turns NaN into 0). ±Inf are clamped to the ends of
// the ranges above and give 1 and 0 (sigmoid) and ±1 (tanh).
//
// The register budget at four vectors per iteration: the input and four
// temporaries per vector (20 registers) plus six (sigmoid) or seven
// (tanh) constant registers, of which two are lane tables holding log2(e),
// ln2hi, ln2lo and g's five coefficients.
//
// Measured error, against math.Exp and math.Tanh in float64: at most
// 2.29 ulp for sigmoid and 2.42 ulp for tanh over every 64th float32 bit
// pattern (TestSigmoidTanhULPNEON in package kernels, run with
// -args -neon-ulp-step=64 under qemu-aarch64 7.2). Over all 2^32 inputs, a
// float64 model of this instruction sequence gave at most 2.40 ulp for
// sigmoid (at x = −4.157294) and 2.53 ulp for tanh (at x = 0.06253939),
// and no NaN or out-of-range result for a non-NaN input. That model was
// checked bit for bit against the kernels on 2^21 inputs under qemu but is
// not kept in the repository, and the two worst cases were confirmed on
// the kernels.

import "math"

// expCoefficients returns g's coefficients, lowest degree first: the
// polynomial of the given degree that interpolates (e^r − 1 − r)/r² at
// the Chebyshev nodes of [−a, a]. It builds the Newton form from divided
// differences and expands it into powers of r. Only float64 arithmetic is
// involved, so every run of the generator writes the same constants.
func expCoefficients(degree int, a float64) []float64 {
	n := degree + 1
	nodes := make([]float64, n)
	diffs := make([]float64, n)
	for i := range nodes {
		nodes[i] = a * math.Cos((2*float64(i)+1)*math.Pi/(2*float64(n)))
		diffs[i] = expSeriesTail(nodes[i])
	}
	// After pass j, diffs[i] holds the divided difference over nodes
	// i−j … i.
	for j := 1; j < n; j++ {
		for i := n - 1; i >= j; i-- {
			diffs[i] = (diffs[i] - diffs[i-1]) / (nodes[i] - nodes[i-j])
		}
	}
	// Horner on the Newton form: p = diffs[n−1], then p = p·(r − node) +
	// diffs[i], with p kept as monomial coefficients.
	p := []float64{diffs[n-1]}
	for i := n - 2; i >= 0; i-- {
		next := make([]float64, len(p)+1)
		for k, c := range p {
			next[k+1] += c
			next[k] -= c * nodes[i]
		}
		next[0] += diffs[i]
		p = next
	}
	return p
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

	constTwo          = f32("two", 2)
	constExponentBias = u32("exponentbias", 127)
	constSigmoidMin   = f32("sigmoidmin", -110)
	constTanhMax      = f32("tanhmax", 10)

	// g holds g's coefficients, lowest degree first.
	g = func() []constant {
		c := expCoefficients(4, math.Ln2/2)
		out := make([]constant, len(c))
		for i, v := range c {
			out[i] = f32("g"+string(rune('0'+i)), float32(v))
		}
		return out
	}()

	// expTables put the multipliers of the range reduction and g's
	// coefficients in the lanes of two registers.
	expTables = []laneTable{
		{f32("log2e", math.Log2E), f32("ln2hi", ln2hi), f32("ln2lo", ln2lo), g[4]},
		{g[0], g[1], g[2], g[3]},
	}
)

// expReduce sets n = round(z·log2(e)) as a float and overwrites z with
// r = z − n·ln2.
func expReduce(b *block, k *constants, z, n value) {
	b.mulLane(n, z, k.lane("log2e"))
	b.frintn(n, n)
	b.mlsLane(z, n, k.lane("ln2hi"))
	b.mlsLane(z, n, k.lane("ln2lo"))
}

// expm1Reduced overwrites r with e^r − 1 = r + r·(r·g(r)), using t and u
// as scratch.
func expm1Reduced(b *block, k *constants, r, t, u value) {
	b.dupLane(t, k.lane("g3"))
	b.mlaLane(t, r, k.lane("g4"))
	b.dupLane(u, k.lane("g2"))
	b.fmla(u, t, r)
	b.dupLane(t, k.lane("g1"))
	b.fmla(t, u, r)
	b.dupLane(u, k.lane("g0"))
	b.fmla(u, t, r)
	b.fmul(u, u, r)
	b.fmla(r, r, u)
}

// pow2 overwrites the integer lanes n, in [−126, 127], with the float32
// bits of 2^n.
func pow2(b *block, k *constants, n value) {
	b.add(n, n, k.vector("exponentbias"))
	b.shl(n, n, 23)
}

// sigmoidBody computes 1/(1+e^−x) as described at the top of the file.
func sigmoidBody(b *block, k *constants, in []value) value {
	x := in[0]
	z, n, t, u := b.temp(), b.temp(), b.temp(), b.temp()
	one := k.vector("one")
	b.orr(z, x, k.vector("signbit")) // −|x|
	b.fmax(z, z, k.vector("sigmoidmin"))
	expReduce(b, k, z, n)
	expm1Reduced(b, k, z, t, u)
	b.fadd(z, z, one) // e^r

	// e^z = e^r·2^h·2^(n−h) with h = n >> 1, so that both factors are
	// normal.
	b.fcvtzs(n, n)
	b.sshr(t, n, 1)
	b.sub(n, n, t)
	pow2(b, k, t)
	b.fmul(z, z, t)
	pow2(b, k, n)
	b.fmul(z, z, n) // e^−|x|

	b.fadd(t, z, one)
	b.cmltz(u, x)
	b.bsl(u, z, one) // e^−|x| where x's sign bit is set, else 1
	b.fdiv(u, u, t)
	return u
}

// tanhBody computes tanh(x) as described at the top of the file.
func tanhBody(b *block, k *constants, in []value) value {
	x := in[0]
	z, n, t, u := b.temp(), b.temp(), b.temp(), b.temp()
	b.fabs(z, x)
	b.fmin(z, z, k.vector("tanhmax"))
	b.fadd(z, z, z) // 2a
	expReduce(b, k, z, n)
	expm1Reduced(b, k, z, t, u)

	// m = 2^n·(e^r − 1) + (2^n − 1).
	b.fcvtzs(n, n)
	pow2(b, k, n)
	b.fsub(t, n, k.vector("one"))
	b.fmla(t, n, z)

	b.fadd(u, t, k.vector("two"))
	b.fdiv(t, t, u)
	b.bit(t, x, k.vector("signbit"))
	return t
}
