package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// eps32 is the float32 machine epsilon, 2⁻²³: the distance from 1 to the
// next float32.
const eps32 = 1.0 / (1 << 23)

// GemmCase is one call of Gemm with its matrices in guarded buffers, which
// Check runs and checks. The fuzz targets of package kernels build their
// cases from it.
//
// A result element passes when
//
//	|got − want| ≤ 2·(k+3)·eps32·(|alpha|·Σₚ|a_ip·b_pj| + |beta·c_ij|)
//	              + (1+|alpha|)·(k+3)·2⁻¹⁴⁹
//
// where want is the float64 result. A float32 dot product of length k is
// within k·u of the exact one, relative to Σₚ|a_ip·b_pj| (u = eps32/2, the
// unit roundoff). Scaling by alpha, scaling C by beta and the final
// addition round three more times, so the bound has a margin of 4 over the
// worst case of any summation order, with or without FMA. The last term
// covers rounding in the subnormal range, where each product or sum may be
// off by up to 2⁻¹⁵⁰ absolute before alpha scales it.
//
// When alpha or k is 0, C must be exactly beta·C rounded once, and +0 when
// beta is 0. NaN and infinities in the result must match the float64
// result exactly.
type GemmCase struct {
	TransA, TransB bool
	M, N, K        int
	Alpha, Beta    float32
	// SlackA, SlackB and SlackC are added to the smallest valid leading
	// dimensions. The slack between rows holds NaN guards in A and B, so
	// a path that computes with it gets NaN, and in C, where it must stay
	// unchanged.
	SlackA, SlackB, SlackC int
	// OffsetA, OffsetB and OffsetC, from 0 to 15, place each matrix that
	// many elements after a 64-byte boundary.
	OffsetA, OffsetB, OffsetC int
	// Seed selects the values of A, B and C, uniform in [-1, 1). Values,
	// when not empty, replaces them, used in turn. When Beta is 0, C holds
	// NaN and infinities instead, which must not survive.
	Seed   uint64
	Values []float32
}

func (gc GemmCase) String() string {
	g := gc.layout()
	return fmt.Sprintf("transA=%t transB=%t m=%d n=%d k=%d alpha=%g beta=%g ld a/b/c=%d/%d/%d offsets=%d/%d/%d",
		gc.TransA, gc.TransB, gc.M, gc.N, gc.K, gc.Alpha, gc.Beta, g.lda, g.ldb, g.ldc,
		gc.OffsetA, gc.OffsetB, gc.OffsetC)
}

// Check runs gemm on the case and returns the m×n result, row-major, and
// an error that names the first element out of tolerance, a changed guard
// or a change to A or B.
func (gc GemmCase) Check(gemm GemmFunc) ([]float32, error) {
	return gc.setup().check(gemm)
}

// Want returns the float64 result of the case, row-major, and the
// tolerance of each element. Check does not use the tolerance when alpha or
// k is 0, because the result must then be exact.
func (gc GemmCase) Want() (want, bound []float64) {
	s := gc.setup()
	want, bound, _ = s.oracle(s.a.s, s.b.s, s.c.s)
	return want, bound
}

// gemmLayout holds the shapes and leading dimensions of a case.
type gemmLayout struct {
	rowsA, colsA, rowsB, colsB int
	lda, ldb, ldc              int
}

func (gc GemmCase) layout() gemmLayout {
	g := gemmLayout{rowsA: gc.M, colsA: gc.K, rowsB: gc.K, colsB: gc.N}
	if gc.TransA {
		g.rowsA, g.colsA = gc.K, gc.M
	}
	if gc.TransB {
		g.rowsB, g.colsB = gc.N, gc.K
	}
	g.lda, g.ldb, g.ldc = g.colsA+gc.SlackA, g.colsB+gc.SlackB, gc.N+gc.SlackC
	return g
}

// gemmSetup is a case with its buffers filled, which a test may change
// before calling check.
type gemmSetup struct {
	GemmCase
	gemmLayout
	a, b, c *buffer
}

func (gc GemmCase) setup() *gemmSetup {
	s := &gemmSetup{GemmCase: gc, gemmLayout: gc.layout()}
	s.a = newBuffer(spanLen(s.rowsA, s.colsA, s.lda), gc.OffsetA, inputGuard)
	s.b = newBuffer(spanLen(s.rowsB, s.colsB, s.ldb), gc.OffsetB, inputGuard)
	s.c = newBuffer(spanLen(gc.M, gc.N, s.ldc), gc.OffsetC, outputGuard)

	r := newRand(gc.Seed)
	next := func() float32 { return float32(r.Float64()*2 - 1) }
	if len(gc.Values) > 0 {
		i := 0
		next = func() float32 {
			v := gc.Values[i%len(gc.Values)]
			i++
			return v
		}
	}
	fillMatrix(s.a.s, s.rowsA, s.colsA, s.lda, next)
	fillMatrix(s.b.s, s.rowsB, s.colsB, s.ldb, next)
	if gc.Beta == 0 {
		poison := []float32{nan, inf, -nan, -inf}
		i := 0
		fillMatrix(s.c.s, gc.M, gc.N, s.ldc, func() float32 { i++; return poison[i%len(poison)] })
	} else {
		fillMatrix(s.c.s, gc.M, gc.N, s.ldc, next)
	}
	return s
}

// oracle returns the float64 result and the tolerance of each element of
// the m×n window, row-major, for the inputs a, b and c. exact reports that
// alpha or k is 0, so that the result is beta·c rounded once and bound is
// not used.
func (s *gemmSetup) oracle(a, b, c []float32) (want, bound []float64, exact bool) {
	m, n, k := s.M, s.N, s.K
	want, bound = make([]float64, m*n), make([]float64, m*n)
	exact = s.Alpha == 0 || k == 0
	alpha, beta := float64(s.Alpha), float64(s.Beta)
	// Rows of op(A) and columns of op(B), each contiguous in float64.
	var rowsOpA, colsOpB []float64
	if !exact {
		rowsOpA, colsOpB = make([]float64, m*k), make([]float64, n*k)
		for p := 0; p < k; p++ {
			for i := 0; i < m; i++ {
				rowsOpA[i*k+p] = float64(s.opA(a, i, p))
			}
			for j := 0; j < n; j++ {
				colsOpB[j*k+p] = float64(s.opB(b, p, j))
			}
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var cTerm float64
			if s.Beta != 0 {
				cTerm = beta * float64(c[i*s.ldc+j])
			}
			if exact {
				want[i*n+j] = float64(s.Beta * c[i*s.ldc+j])
				if s.Beta == 0 {
					want[i*n+j] = 0
				}
				continue
			}
			var sum, abs float64
			rowA, colB := rowsOpA[i*k:(i+1)*k], colsOpB[j*k:(j+1)*k]
			for p, v := range rowA {
				prod := v * colB[p]
				sum += prod
				abs += math.Abs(prod)
			}
			want[i*n+j] = alpha*sum + cTerm
			magnitude := math.Abs(alpha)*abs + math.Abs(cTerm)
			bound[i*n+j] = 2*float64(k+3)*eps32*magnitude +
				(1+math.Abs(alpha))*float64(k+3)*math.SmallestNonzeroFloat32
		}
	}
	return want, bound, exact
}

// opA returns op(A)[i][p].
func (s *gemmSetup) opA(a []float32, i, p int) float32 {
	if s.TransA {
		return a[p*s.lda+i]
	}
	return a[i*s.lda+p]
}

// opB returns op(B)[p][j].
func (s *gemmSetup) opB(b []float32, p, j int) float32 {
	if s.TransB {
		return b[j*s.ldb+p]
	}
	return b[p*s.ldb+j]
}

// check calls gemm on the buffers and checks the result against the
// oracle, the guards of C, and that A and B are unchanged. It returns the
// m×n result, row-major.
func (s *gemmSetup) check(gemm GemmFunc) ([]float32, error) {
	aBefore, bBefore, cBefore := s.a.snapshot(), s.b.snapshot(), s.c.snapshot()
	want, bound, exact := s.oracle(s.a.s, s.b.s, s.c.s)

	gemm(s.TransA, s.TransB, s.M, s.N, s.K, s.Alpha, s.a.s, s.lda, s.b.s, s.ldb, s.Beta, s.c.s, s.ldc)

	fail := func(err error) ([]float32, error) { return nil, fmt.Errorf("Gemm %v: %w", s.GemmCase, err) }
	if err := s.a.checkUnchanged("a", aBefore, nil); err != nil {
		return fail(err)
	}
	if err := s.b.checkUnchanged("b", bBefore, nil); err != nil {
		return fail(err)
	}
	if err := s.c.checkUnchanged("c", cBefore, inMatrix(s.M, s.N, s.ldc)); err != nil {
		return fail(err)
	}
	got := make([]float32, s.M*s.N)
	for i := 0; i < s.M && s.N > 0; i++ {
		copy(got[i*s.N:(i+1)*s.N], s.c.s[i*s.ldc:])
	}
	bad, first := 0, -1
	for e, g := range got {
		if !acceptGemm(g, want[e], bound[e], exact) {
			if bad == 0 {
				first = e
			}
			bad++
		}
	}
	if bad > 0 {
		i, j := first/s.N, first%s.N
		return fail(fmt.Errorf("C[%d][%d] = %s, want %g ± %.3g (C was %s; %d of %d elements wrong)",
			i, j, format(got[first]), want[first], bound[first], format(cBefore[s.c.start+i*s.ldc+j]), bad, len(got)))
	}
	return got, nil
}

// acceptGemm reports whether got is an acceptable Gemm result for the
// float64 result want with tolerance bound, or, when exact is set, for the
// float32 result want.
func acceptGemm(got float32, want, bound float64, exact bool) bool {
	want32 := float32(want)
	if exact || isNaN(want32) || math.IsInf(float64(want32), 0) {
		return sameBits(got, want32)
	}
	if isNaN(got) || math.IsInf(float64(got), 0) {
		return false
	}
	return math.Abs(float64(got)-want) <= bound
}

// gemmSizes are the values that m, n and k each take: 0, tiny sizes, and
// one below, at and above multiples of 4-, 8- and 16-lane vectors and of
// small register tiles.
var gemmSizes = []int{0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129}

var (
	gemmAlphas = []float32{1, -0.5, 0, 2.5}
	gemmBetas  = []float32{0, 1, -1.5}
	// gemmNonzeroAlphas are the alphas of the shape sweeps, which test the
	// product; alpha = 0 has tests of its own.
	gemmNonzeroAlphas = []float32{1, -0.5, 2.5}
)

// transposes are the four combinations of transA and transB.
var transposes = [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}

// varyLayout sets the slacks and offsets of gc from i, so that consecutive
// cases cycle through slacks 0..5 and offsets 0..15 of each matrix.
func varyLayout(gc GemmCase, i int) GemmCase {
	gc.SlackA, gc.SlackB, gc.SlackC = i%6, (i/2+1)%6, (i/3+2)%6
	gc.OffsetA, gc.OffsetB, gc.OffsetC = (5*i)%alignLen, (3*i+7)%alignLen, i%alignLen
	return gc
}

// injectNonFinite sets count random elements of the rows×cols window of a
// matrix slice to NaN or an infinity.
func injectNonFinite(r *rand.Rand, s []float32, rows, cols, ld, count int) {
	if rows == 0 || cols == 0 {
		return
	}
	for range count {
		s[r.IntN(rows)*ld+r.IntN(cols)] = [...]float32{nan, inf, -inf}[r.IntN(3)]
	}
}
