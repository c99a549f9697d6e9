//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/stretchr/testify/require"
)

type gemmFunc = func(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int)

// gemmAVX2Paths returns the AVX2 Gemm as dispatched and forced onto each of
// its two paths; alpha = 0 and k = 0 still take the shortcut that scales C.
func gemmAVX2Paths() []struct {
	name string
	gemm gemmFunc
} {
	force := func(direct bool) gemmFunc {
		return func(transA, transB bool, m, n, k int, alpha float32,
			a []float32, lda int, b []float32, ldb int,
			beta float32, c []float32, ldc int) {
			switch {
			case alpha == 0 || k == 0:
				gemmBlocked(&avx2Microkernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			case direct:
				gemmDirect(&avx2Microkernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			default:
				gemmPacked(&avx2Microkernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			}
		}
	}
	return []struct {
		name string
		gemm gemmFunc
	}{
		{"dispatched", gemmAVX2},
		{"packed", force(false)},
		{"direct", force(true)},
	}
}

func requireAVX2FMA(t testing.TB) {
	if !cpuFeatures.avx2FMA {
		t.Skip("this CPU lacks AVX2 or FMA: the AVX2 Gemm is not tested")
	}
}

// gemmGuard fills the parts of a C buffer outside the m×n window: a NaN with a
// payload, so that a kernel that reads it into a result produces NaN and a
// kernel that writes it changes its bits.
var gemmGuard = math.Float32frombits(0x7fc0dead)

// gemmCase is one product with its operands laid out in memory: A and B end
// exactly at their last element, their padding columns hold NaN, and C sits
// in a buffer with guard values before, between and after its rows.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b           []float32
	lda, ldb, ldc  int
	cBuffer        []float32 // guards, then C, then guards
	cStart         int       // index of C[0][0] in cBuffer
	absA, absB     []float32 // |A| and |B|, for the error bound
}

// gemmGuardLen is the number of guard values before and after C.
const gemmGuardLen = 19

func (g *gemmCase) String() string {
	return fmt.Sprintf("transA=%t transB=%t m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.lda, g.ldb, g.ldc)
}

// gemmRandom holds uniform values in [-1, 1) that cases copy from at varying
// offsets, which is much faster than drawing every element.
var gemmRandom = func() []float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	r := make([]float32, 1<<20)
	for i := range r {
		r[i] = 2*rng.Float32() - 1
	}
	return r
}()

// newGemmMatrix returns a rows×cols matrix x with leading dimension ld and the
// matrix abs of its absolute values. x is filled from gemmRandom starting at
// offset, holds NaN in its padding columns and ends at its last element.
func newGemmMatrix(rows, cols, ld, offset int) (x, abs []float32) {
	size := (rows-1)*ld + cols
	x = make([]float32, size)
	abs = make([]float32, size)
	for i := 0; i < rows; i++ {
		row := x[i*ld : i*ld+cols]
		start := (offset + i*7919) % (len(gemmRandom) - cols)
		copy(row, gemmRandom[start:])
		for j, v := range row {
			abs[i*ld+j] = float32(math.Abs(float64(v)))
		}
		if i < rows-1 {
			for j := cols; j < ld; j++ {
				x[i*ld+j] = float32(math.NaN())
			}
		}
	}
	return x, abs
}

// newGemmCase lays out one product. A, B and C get padding extra columns,
// scaled differently for each so that their leading dimensions differ, and
// values from gemmRandom starting at offset; C is all NaN when beta is 0.
func newGemmCase(transA, transB bool, m, n, k int, alpha, beta float32, padding, offset int) *gemmCase {
	g := &gemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	g.lda, g.ldb, g.ldc = colsA+padding, colsB+(padding*3)%17, n+(padding*5)%11
	g.a, g.absA = newGemmMatrix(rowsA, colsA, g.lda, offset)
	g.b, g.absB = newGemmMatrix(rowsB, colsB, g.ldb, offset+104729)
	g.cStart = gemmGuardLen
	g.cBuffer = make([]float32, gemmGuardLen+(m-1)*g.ldc+n+gemmGuardLen)
	for i := range g.cBuffer {
		g.cBuffer[i] = gemmGuard
	}
	for i := 0; i < m; i++ {
		row := g.c()[i*g.ldc : i*g.ldc+n]
		if beta == 0 {
			for j := range row {
				row[j] = float32(math.NaN())
			}
			continue
		}
		copy(row, gemmRandom[(offset+31*i)%(len(gemmRandom)-n):])
	}
	return g
}

// c returns the slice of C that Gemm gets: it ends at C[m-1][n-1].
func (g *gemmCase) c() []float32 {
	end := g.cStart + (g.m-1)*g.ldc + g.n
	return g.cBuffer[g.cStart:end:end]
}

// run calls gemm on a copy of the case's C buffer and returns the copy.
func (g *gemmCase) run(gemm gemmFunc) []float32 {
	out := append([]float32(nil), g.cBuffer...)
	end := g.cStart + (g.m-1)*g.ldc + g.n
	gemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb,
		g.beta, out[g.cStart:end:end], g.ldc)
	return out
}

// tolerances returns the bound 4·k·2⁻²⁴·(|alpha|·Σ|a||b| + |beta|·|c|) for
// every element of C, in the layout of the C buffer.
func (g *gemmCase) tolerances() []float32 {
	tol := make([]float32, len(g.cBuffer))
	end := g.cStart + (g.m-1)*g.ldc + g.n
	generic.Gemm(g.transA, g.transB, g.m, g.n, g.k, 1, g.absA, g.lda, g.absB, g.ldb,
		0, tol[g.cStart:end:end], g.ldc)
	eps := 4 * float64(max(g.k, 1)) * 0x1p-24
	for i := 0; i < g.m; i++ {
		for j := 0; j < g.n; j++ {
			at := g.cStart + i*g.ldc + j
			bound := math.Abs(float64(g.alpha)) * float64(tol[at])
			if g.beta != 0 {
				bound += math.Abs(float64(g.beta)) * math.Abs(float64(g.cBuffer[at]))
			}
			// The smallest normal float32 admits rounding where the bound is 0.
			tol[at] = float32(eps*bound) + 0x1p-126
		}
	}
	return tol
}

// check fails t unless got matches want within tol inside the window and
// keeps every guard value bit for bit.
func (g *gemmCase) check(t *testing.T, path string, got, want, tol []float32) {
	t.Helper()
	requireGuards := func(from, to int) {
		for at := from; at < to; at++ {
			if math.Float32bits(got[at]) != math.Float32bits(gemmGuard) {
				require.Failf(t, "gemmGuard overwritten",
					"%s %v: gemmGuard at buffer index %d (C starts at %d) is %g",
					path, g, at, g.cStart, got[at])
			}
		}
	}
	requireGuards(0, g.cStart)
	for i := 0; i < g.m; i++ {
		row := g.cStart + i*g.ldc
		for j, v := range got[row : row+g.n] {
			diff := math.Abs(float64(v) - float64(want[row+j]))
			if !(diff <= float64(tol[row+j])) {
				require.Failf(t, "wrong element",
					"%s %v: C[%d][%d] = %g, generic %g, |diff| %g > tolerance %g",
					path, g, i, j, v, want[row+j], diff, tol[row+j])
			}
		}
		if i < g.m-1 {
			requireGuards(row+g.n, row+g.ldc)
		}
	}
	requireGuards(g.cStart+(g.m-1)*g.ldc+g.n, len(got))
}

// gemmTestSizes are the m, n and k of the randomized test: 1, sizes around
// the 6×16 register tile and its multiples, and sizes past the kc and mc
// blocks.
var gemmTestSizes = []int{1, 2, 3, 5, 6, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100, 129, 257, 300}

// gemmScalars are (alpha, beta) pairs; the tests cycle through them, so that
// every pair meets many shapes. beta = 0 runs with C full of NaN.
var gemmScalars = [][2]float32{
	{1, 0}, {1, 1}, {-0.5, 0}, {2, -1.5}, {0.75, 1}, {1, 0.5}, {-1, 0}, {0, 2}, {0, 0}, {1.25, -1},
}

// raceEnabled reports whether the test binary was built with -race, which
// slows generic.Gemm, the reference, about twentyfold.
var raceEnabled = func() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, setting := range info.Settings {
		if setting.Key == "-race" {
			return setting.Value == "true"
		}
	}
	return false
}()

// Under the race detector the randomized sweep runs every raceSample-th
// case with m·n·k ≤ raceMaxWork, and TestGemmAVX2Blocks the shapes up to
// raceMaxBlockWork. Larger shapes exercise the same code on more tiles, and
// without -race every case runs.
const (
	raceSample       = 7
	raceMaxWork      = 65 * 65 * 65
	raceMaxBlockWork = 1 << 21
)

func TestGemmAVX2MatchesGeneric(t *testing.T) {
	requireAVX2FMA(t)
	if raceEnabled {
		t.Logf("race detector on: every %dth case with m·n·k ≤ %d runs", raceSample, raceMaxWork)
	}
	paths := gemmAVX2Paths()
	count := 0
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for _, m := range gemmTestSizes {
				for _, n := range gemmTestSizes {
					for _, k := range gemmTestSizes {
						s := gemmScalars[count%len(gemmScalars)]
						padding, offset := count%5, count*613
						count++
						if raceEnabled && (m*n*k > raceMaxWork || count%raceSample != 0) {
							continue
						}
						g := newGemmCase(transA, transB, m, n, k, s[0], s[1], padding, offset)
						checkGemmCase(t, g, paths)
					}
				}
			}
		}
	}
}

// TestGemmAVX2Blocks covers shapes that span several nc, mc and kc blocks of
// the packed path and several kc blocks of the direct path.
func TestGemmAVX2Blocks(t *testing.T) {
	requireAVX2FMA(t)
	shapes := [][3]int{
		{gemmMC + 7, gemmNC + 17, gemmKC + 5},
		{20, 2*gemmNC + 40, 30},
		{2*gemmMC + 1, 33, 3*gemmKC + 1},
		{2, 3, 4*gemmKC + 3},
		{1, 700, 1},
		{700, 1, 2},
	}
	paths := gemmAVX2Paths()
	for count, shape := range shapes {
		if raceEnabled && shape[0]*shape[1]*shape[2] > raceMaxBlockWork {
			t.Logf("race detector on: %v skipped", shape)
			continue
		}
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				s := gemmScalars[count%len(gemmScalars)]
				g := newGemmCase(transA, transB, shape[0], shape[1], shape[2], s[0], s[1], count%3, count)
				checkGemmCase(t, g, paths)
			}
		}
	}
}

// checkGemmCase runs g on generic.Gemm and on every path, checks each path
// against generic and requires the paths to agree bit for bit.
func checkGemmCase(t *testing.T, g *gemmCase, paths []struct {
	name string
	gemm gemmFunc
}) {
	t.Helper()
	want := g.run(generic.Gemm)
	tol := g.tolerances()
	var first []float32
	for _, p := range paths {
		got := g.run(p.gemm)
		g.check(t, p.name, got, want, tol)
		if first == nil {
			first = got
			continue
		}
		for at := range got {
			if math.Float32bits(got[at]) != math.Float32bits(first[at]) {
				require.Failf(t, "paths differ",
					"%v: %s and %s differ at buffer index %d: %g and %g",
					g, paths[0].name, p.name, at, first[at], got[at])
			}
		}
	}
}

// TestGemmAVX2SplitInvariance requires that computing C in pieces, with
// row and column cuts that are not multiples of the 6×16 tile, gives the
// same bits as computing it whole: a later multithreaded Gemm relies on it.
func TestGemmAVX2SplitInvariance(t *testing.T) {
	requireAVX2FMA(t)
	shapes := [][3]int{{37, 53, 300}, {100, 129, 65}, {13, 200, 513}, {gemmMC + 29, 70, 40}}
	cuts := [][2]int{{5, 7}, {1, 17}, {20, 33}}
	for count, shape := range shapes {
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				s := gemmScalars[count%len(gemmScalars)]
				g := newGemmCase(transA, transB, shape[0], shape[1], shape[2], s[0], s[1], count%4, count)
				whole := g.run(gemmAVX2)
				for _, cut := range cuts {
					pieces := g.run(func(transA, transB bool, m, n, k int, alpha float32,
						a []float32, lda int, b []float32, ldb int,
						beta float32, c []float32, ldc int) {
						gemmInPieces(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
							cut[0], cut[1])
					})
					for at := range whole {
						if math.Float32bits(whole[at]) != math.Float32bits(pieces[at]) {
							require.Failf(t, "split changes result",
								"%v cut rows at %d, columns at %d: buffer index %d is %g whole, %g in pieces",
								g, cut[0], cut[1], at, whole[at], pieces[at])
						}
					}
				}
			}
		}
	}
}

// gemmInPieces computes C with one gemmAVX2 call per piece of a grid that
// cuts rows every rowStep and columns every colStep.
func gemmInPieces(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int, rowStep, colStep int) {
	for i0 := 0; i0 < m; i0 += rowStep {
		rows := min(rowStep, m-i0)
		aStart := i0 * lda
		if transA {
			aStart = i0
		}
		for j0 := 0; j0 < n; j0 += colStep {
			cols := min(colStep, n-j0)
			bStart := j0
			if transB {
				bStart = j0 * ldb
			}
			gemmAVX2(transA, transB, rows, cols, k, alpha, a[aStart:], lda, b[bStart:], ldb,
				beta, c[i0*ldc+j0:], ldc)
		}
	}
}

// TestGemmAVX2Packing checks the packed blocks element by element: every
// value of op(A) and op(B) lands at its k-major place, and the rows or
// columns that pad the last micro-panel are +0 even in a buffer full of NaN.
// The kc values cover the assembly packing loops (multiples of 4) and the Go
// loops that finish them.
func TestGemmAVX2Packing(t *testing.T) {
	requireAVX2FMA(t)
	kern := &avx2Microkernel
	mr, nr := kern.mr, kern.nr
	nan := float32(math.NaN())
	for _, trans := range []bool{false, true} {
		for _, kb := range []int{1, 3, 4, 13, 64} {
			for _, size := range []int{1, 5, 6, 7, 16, 17, 40} {
				// op(X) is size×kb for A and kb×size for B; X is stored with
				// padding 3 so that rows are not a power of two apart.
				g := newGemmCase(trans, trans, size, size, kb, 1, 0, 3, size*kb)
				dst := make([]float32, (size+nr)*kb)
				for i := range dst {
					dst[i] = nan
				}
				kern.packA(dst, trans, g.a, g.lda, 0, size, 0, kb)
				panels := (size + mr - 1) / mr
				for i := 0; i < panels*mr; i++ {
					for p := 0; p < kb; p++ {
						got := dst[(i/mr)*mr*kb+p*mr+i%mr]
						want := float32(0)
						if i < size {
							want = gemmElement(g.a, g.lda, trans, i, p)
						}
						require.Equal(t, math.Float32bits(want), math.Float32bits(got),
							"packA trans=%t kb=%d mb=%d: A[%d][%d]", trans, kb, size, i, p)
					}
				}

				for i := range dst {
					dst[i] = nan
				}
				kern.packB(dst, trans, g.b, g.ldb, 0, kb, 0, size)
				panels = (size + nr - 1) / nr
				for j := 0; j < panels*nr; j++ {
					for p := 0; p < kb; p++ {
						got := dst[(j/nr)*nr*kb+p*nr+j%nr]
						want := float32(0)
						if j < size {
							want = gemmElement(g.b, g.ldb, trans, p, j)
						}
						require.Equal(t, math.Float32bits(want), math.Float32bits(got),
							"packB trans=%t kb=%d nb=%d: B[%d][%d]", trans, kb, size, p, j)
					}
				}
			}
		}
	}
}

// gemmElement returns op(X)[i][j] of the row-major X with leading dimension ld.
func gemmElement(x []float32, ld int, trans bool, i, j int) float32 {
	if trans {
		return x[j*ld+i]
	}
	return x[i*ld+j]
}

func TestGemmAVX2Allocations(t *testing.T) {
	requireAVX2FMA(t)
	for _, size := range []int{17, 64, 300} {
		g := newGemmCase(false, true, size, size, size, 1, 0.5, 1, 0)
		out := g.c()
		gemmAVX2(false, true, size, size, size, 1, g.a, g.lda, g.b, g.ldb, 0.5, out, g.ldc)
		allocs := testing.AllocsPerRun(10, func() {
			gemmAVX2(false, true, size, size, size, 1, g.a, g.lda, g.b, g.ldb, 0.5, out, g.ldc)
		})
		require.Zero(t, allocs, "allocations per %d³ Gemm", size)
	}
}

// BenchmarkGemmAVX2Paths compares the direct and packed paths on the same
// shapes; gemmDirectMaxWork is set from where packing starts to win.
func BenchmarkGemmAVX2Paths(b *testing.B) {
	requireAVX2FMA(b)
	shapes := [][3]int{
		{8, 8, 8}, {16, 16, 16}, {24, 24, 24}, {32, 32, 32}, {48, 48, 48}, {64, 64, 64},
		{80, 80, 80}, {96, 96, 96}, {128, 128, 128}, {17, 17, 17}, {33, 33, 33}, {65, 65, 65},
		{256, 16, 64}, {16, 256, 64}, {64, 64, 256}, {128, 64, 64},
	}
	kern := &avx2Microkernel
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, transB := range []bool{false, true} {
			for _, path := range []string{"direct", "packed"} {
				name := fmt.Sprintf("shape=%dx%dx%d/transB=%t/path=%s", m, n, k, transB, path)
				b.Run(name, func(b *testing.B) {
					g := newGemmCase(false, transB, m, n, k, 1, 0, 0, 0)
					c := g.c()
					b.ReportAllocs()
					for b.Loop() {
						if path == "direct" {
							gemmDirect(kern, false, transB, m, n, k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
						} else {
							gemmPacked(kern, false, transB, m, n, k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
						}
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkGemmAVX2Microkernel times one 6×16 tile with k = gemmKC from
// panels that stay in L1: the ceiling for the whole Gemm.
func BenchmarkGemmAVX2Microkernel(b *testing.B) {
	requireAVX2FMA(b)
	a := gemmRandom[:6*gemmKC]
	p := gemmRandom[6*gemmKC : 6*gemmKC+16*gemmKC]
	c := make([]float32, 6*16)
	for _, mode := range []int{gemmOverwrite, gemmAccumulate, gemmScale} {
		b.Run(fmt.Sprintf("mode=%d", mode), func(b *testing.B) {
			for b.Loop() {
				gemm6x16PackedAVX2(gemmKC, a, p, c, 16, 1, 0.5, mode)
			}
			b.ReportMetric(2*6*16*gemmKC*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
