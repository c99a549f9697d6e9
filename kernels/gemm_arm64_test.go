//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/stretchr/testify/require"
)

type neonGemmFunc = func(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int)

// neonGemmPaths returns the NEON Gemm as dispatched and forced onto each of
// the driver's two paths. With alpha = 0 or k = 0 every path takes the
// shortcut that scales C.
func neonGemmPaths() []struct {
	name string
	gemm neonGemmFunc
} {
	kern := &neonMicrokernel
	force := func(direct bool) neonGemmFunc {
		return func(transA, transB bool, m, n, k int, alpha float32,
			a []float32, lda int, b []float32, ldb int,
			beta float32, c []float32, ldc int) {
			switch {
			case alpha == 0 || k == 0:
				gemmBlocked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			case direct:
				gemmDirect(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			default:
				gemmPacked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			}
		}
	}
	return []struct {
		name string
		gemm neonGemmFunc
	}{
		{"dispatched", gemmNEON},
		{"packed", force(false)},
		{"direct", force(true)},
	}
}

func requireNEON(t testing.TB) {
	if !cpuFeatures.neon {
		t.Skip("this CPU lacks Advanced SIMD: the NEON Gemm is not tested")
	}
}

// neonGuard fills C's buffer outside the m×n window. It is a NaN with a
// payload, so a kernel that reads it makes a result NaN, and a kernel that
// overwrites it changes its bits.
var neonGuard = math.Float32frombits(0x7fc0beef)

// neonGuardLen is the number of guard values before and after C.
const neonGuardLen = 13

// neonGemmCase is one product laid out in memory. A and B end at their last
// element and contain NaN in their padding columns, and C sits between
// guards.
type neonGemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b           []float32
	lda, ldb, ldc  int
	cBuffer        []float32
	absA, absB     []float32 // for the error bound
}

func (g *neonGemmCase) String() string {
	return fmt.Sprintf("transA=%t transB=%t m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.lda, g.ldb, g.ldc)
}

// neonMatrix returns a rows×cols matrix with leading dimension ld, values
// uniform in [-1, 1), NaN in its padding columns, and its absolute values.
func neonMatrix(rng *rand.Rand, rows, cols, ld int) (x, abs []float32) {
	size := (rows-1)*ld + cols
	x, abs = make([]float32, size), make([]float32, size)
	for i := range x {
		if i%ld >= cols {
			x[i] = float32(math.NaN())
			continue
		}
		x[i] = 2*rng.Float32() - 1
		abs[i] = float32(math.Abs(float64(x[i])))
	}
	return x, abs
}

func newNEONGemmCase(rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32) *neonGemmCase {
	g := &neonGemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	g.lda, g.ldb, g.ldc = colsA+rng.IntN(4), colsB+rng.IntN(4), n+rng.IntN(4)
	g.a, g.absA = neonMatrix(rng, rowsA, colsA, g.lda)
	g.b, g.absB = neonMatrix(rng, rowsB, colsB, g.ldb)
	g.cBuffer = make([]float32, neonGuardLen+(m-1)*g.ldc+n+neonGuardLen)
	for i := range g.cBuffer {
		g.cBuffer[i] = neonGuard
	}
	for i := range m {
		for j := range n {
			v := 2*rng.Float32() - 1
			if beta == 0 {
				v = float32(math.NaN())
			}
			g.cBuffer[neonGuardLen+i*g.ldc+j] = v
		}
	}
	return g
}

// run calls gemm on a copy of the C buffer and returns the copy.
func (g *neonGemmCase) run(gemm neonGemmFunc, alpha float32, a, b []float32) []float32 {
	out := append([]float32(nil), g.cBuffer...)
	end := neonGuardLen + (g.m-1)*g.ldc + g.n
	gemm(g.transA, g.transB, g.m, g.n, g.k, alpha, a, g.lda, b, g.ldb,
		g.beta, out[neonGuardLen:end:end], g.ldc)
	return out
}

// check runs the case on generic.Gemm and on every path: each must match
// generic within 4·k·2⁻²⁴·(|alpha|·Σ|a||b| + |beta|·|c|), keep every guard
// bit for bit, and give the same bits as the other paths.
func (g *neonGemmCase) check(t *testing.T, paths []struct {
	name string
	gemm neonGemmFunc
}) {
	t.Helper()
	want := g.run(generic.Gemm, g.alpha, g.a, g.b)
	sums := g.run(func(transA, transB bool, m, n, k int, _ float32,
		a []float32, lda int, b []float32, ldb int, _ float32, c []float32, ldc int) {
		generic.Gemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	}, 1, g.absA, g.absB)
	eps := 4 * float64(max(g.k, 1)) * 0x1p-24
	var first []float32
	for _, p := range paths {
		got := g.run(p.gemm, g.alpha, g.a, g.b)
		for at, v := range got {
			i, j := (at-neonGuardLen)/g.ldc, (at-neonGuardLen)%g.ldc
			inside := at >= neonGuardLen && i < g.m && j < g.n
			if !inside {
				if math.Float32bits(v) != math.Float32bits(neonGuard) {
					require.Failf(t, "guard overwritten", "%s %v: buffer index %d is %g", p.name, g, at, v)
				}
				continue
			}
			bound := math.Abs(float64(g.alpha)) * float64(sums[at])
			if g.beta != 0 {
				bound += math.Abs(float64(g.beta)) * math.Abs(float64(g.cBuffer[at]))
			}
			if diff := math.Abs(float64(v) - float64(want[at])); !(diff <= eps*bound+0x1p-126) {
				require.Failf(t, "wrong element", "%s %v: C[%d][%d] = %g, generic %g, |diff| %g > %g",
					p.name, g, i, j, v, want[at], diff, eps*bound)
			}
		}
		if first == nil {
			first = got
			continue
		}
		for at := range got {
			if math.Float32bits(got[at]) != math.Float32bits(first[at]) {
				require.Failf(t, "paths differ", "%v: %s and %s differ at buffer index %d: %g and %g",
					g, paths[0].name, p.name, at, first[at], got[at])
			}
		}
	}
}

// neonTestSizes are the m, n and k that the randomized test draws from.
// They are every size up to 17, sizes around 24 = 2·12 and 32 = 4·8, and
// sizes past one kc or mc block: 257 splits into kc blocks of 132 and 125
// and into two mc blocks.
var neonTestSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	23, 24, 25, 31, 33, 64, 65, 100, 129, 257}

// neonScalars are the (alpha, beta) pairs that cases cycle through. Cases
// with beta = 0 fill C with NaN, and alpha = 0 takes the shortcut.
var neonScalars = [][2]float32{
	{1, 0}, {1, 1}, {-0.5, 0}, {2, -1.5}, {0.75, 1}, {1, 0.5}, {0, 2}, {1.25, -1},
}

// neonMaxWork bounds m·n·k of the randomized cases, because generic.Gemm,
// the reference, runs slowly under qemu; drawn shapes above it are drawn
// again.
const neonMaxWork = 1 << 22

func TestGemmNEONMatchesGeneric(t *testing.T) {
	requireNEON(t)
	paths := neonGemmPaths()
	rng := rand.New(rand.NewPCG(3, 4))
	const casesPerTranspose = 200
	count := 0
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for range casesPerTranspose {
				var m, n, k int
				for {
					m = neonTestSizes[rng.IntN(len(neonTestSizes))]
					n = neonTestSizes[rng.IntN(len(neonTestSizes))]
					k = neonTestSizes[rng.IntN(len(neonTestSizes))]
					if m*n*k <= neonMaxWork {
						break
					}
				}
				s := neonScalars[count%len(neonScalars)]
				count++
				newNEONGemmCase(rng, transA, transB, m, n, k, s[0], s[1]).check(t, paths)
			}
		}
	}
}

// TestGemmNEONEdgeTiles covers every height and width of an edge tile,
// alone and next to full tiles, with k below, at and above the k unroll of
// 4.
func TestGemmNEONEdgeTiles(t *testing.T) {
	requireNEON(t)
	paths := neonGemmPaths()
	rng := rand.New(rand.NewPCG(5, 6))
	count := 0
	for _, k := range []int{1, 3, 4, 7} {
		for m := 1; m <= 17; m++ {
			for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 23, 25} {
				transA, transB := count%2 == 1, count%3 == 1
				s := neonScalars[count%len(neonScalars)]
				count++
				newNEONGemmCase(rng, transA, transB, m, n, k, s[0], s[1]).check(t, paths)
			}
		}
	}
}

// TestGemmNEONMicrokernels calls both kernels on one full tile in every
// mode, with the strided kernel reading A both down contiguous columns
// (rsA = 1) and lane by lane (rsA > 1), and requires the packed bits.
func TestGemmNEONMicrokernels(t *testing.T) {
	requireNEON(t)
	const mr, nr, ldc = 8, 12, 15
	rng := rand.New(rand.NewPCG(7, 8))
	for _, k := range []int{1, 2, 4, 5, 8, 9, 256} {
		panelA, _ := neonMatrix(rng, k, mr, mr)
		panelB, _ := neonMatrix(rng, k, nr, nr)
		// rowsA holds the same A row-major with lda = k+3.
		lda := k + 3
		rowsA := make([]float32, (mr-1)*lda+k)
		for p := range k {
			for i := range mr {
				rowsA[i*lda+p] = panelA[p*mr+i]
			}
		}
		c0, _ := neonMatrix(rng, mr, nr, ldc)
		for mode, beta := range []float32{0, 1, -0.75} {
			want := append([]float32(nil), c0...)
			generic.Gemm(false, false, mr, nr, k, 1.5, rowsA, lda, panelB, nr, beta, want, ldc)
			packed := append([]float32(nil), c0...)
			gemm8x12PackedNEON(k, panelA, panelB, packed, ldc, 1.5, beta, mode)
			contiguous := append([]float32(nil), c0...)
			gemm8x12StridedNEON(k, panelA, 1, mr, panelB, nr, contiguous, ldc, 1.5, beta, mode)
			lanes := append([]float32(nil), c0...)
			gemm8x12StridedNEON(k, rowsA, lda, 1, panelB, nr, lanes, ldc, 1.5, beta, mode)
			for at := range want {
				if at%ldc >= nr {
					require.True(t, math.IsNaN(float64(packed[at])), "k=%d mode=%d: padding %d written", k, mode, at)
					continue
				}
				tol := 4 * float64(k) * 0x1p-24 * (1.5*float64(k) + 1)
				require.InDelta(t, want[at], packed[at], tol, "k=%d mode=%d: C index %d", k, mode, at)
				require.Equal(t, math.Float32bits(packed[at]), math.Float32bits(contiguous[at]),
					"k=%d mode=%d: contiguous strided differs at %d", k, mode, at)
				require.Equal(t, math.Float32bits(packed[at]), math.Float32bits(lanes[at]),
					"k=%d mode=%d: lane strided differs at %d", k, mode, at)
			}
		}
	}
}

// BenchmarkGemmNEON times square products on both paths and one tile with
// k = gemmKC from panels in L1. Under qemu the figures measure the
// emulator, not an arm64 core.
func BenchmarkGemmNEON(b *testing.B) {
	requireNEON(b)
	rng := rand.New(rand.NewPCG(9, 10))
	kern := &neonMicrokernel
	for _, size := range []int{24, 64, 128, 256} {
		for _, path := range []string{"direct", "packed"} {
			b.Run(fmt.Sprintf("size=%d/path=%s", size, path), func(b *testing.B) {
				g := newNEONGemmCase(rng, false, false, size, size, size, 1, 0)
				c := g.cBuffer[neonGuardLen:]
				for b.Loop() {
					if path == "direct" {
						gemmDirect(kern, false, false, size, size, size, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
					} else {
						gemmPacked(kern, false, false, size, size, size, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
					}
				}
				b.ReportMetric(2*float64(size*size*size)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
	b.Run("microkernel", func(b *testing.B) {
		a, _ := neonMatrix(rng, gemmKC, 8, 8)
		p, _ := neonMatrix(rng, gemmKC, 12, 12)
		c := make([]float32, 8*12)
		for b.Loop() {
			gemm8x12PackedNEON(gemmKC, a, p, c, 12, 1, 0, gemmOverwrite)
		}
		b.ReportMetric(2*8*12*gemmKC*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
