//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/simdgrad/simdgrad/internal/workers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitShapes are products of every size class, many too small for
// gemmBlocked to split, which gemmParallel splits anyway.
var splitShapes = [][3]int{
	{1, 1, 1}, {5, 17, 3}, {7, 33, 300}, {1, 1000, 700}, {700, 1, 513},
	{13, 100, 5}, {61, 95, 257}, {200, 48, 1000}, {333, 517, 259},
}

// TestParallelGemmSameBitsAsSerial splits products of every shape, also
// those that gemmBlocked keeps on one goroutine, across up to 16
// goroutines, and requires the bits of gemmSerial everywhere in the C
// buffer, guards included.
func TestParallelGemmSameBitsAsSerial(t *testing.T) {
	requireAVX2FMA(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(16))
	defer SetMaxThreads(SetMaxThreads(0))
	for i, s := range splitShapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float32{0, 1, -0.5} {
				g := newGemmCase(tr[0], tr[1], s[0], s[1], s[2], 0.75, beta, 1+i%3, 97*i)
				initial := append([]float32(nil), g.cBuffer...)
				gemmSerial(&avx2Microkernel, g.transA, g.transB, g.m, g.n, g.k, g.alpha,
					g.a, g.lda, g.b, g.ldb, g.beta, g.c(), g.ldc)
				want := append([]float32(nil), g.cBuffer...)
				for _, threads := range []int{2, 3, 4, 7, 16} {
					copy(g.cBuffer, initial)
					gemmParallel(&avx2Microkernel, threads, g.transA, g.transB, g.m, g.n, g.k, g.alpha,
						g.a, g.lda, g.b, g.ldb, g.beta, g.c(), g.ldc)
					for j := range want {
						if math.Float32bits(g.cBuffer[j]) != math.Float32bits(want[j]) {
							require.Failf(t, "results differ", "threads=%d %v: element %d of the C buffer is %v, want %v",
								threads, g, j-g.cStart, g.cBuffer[j], want[j])
						}
					}
				}
			}
		}
	}
}

func TestGemmGridChoosesBalancedBlocks(t *testing.T) {
	kern := &avx2Microkernel
	cases := []struct {
		m, n, k, parts int
		rows, cols     int
	}{
		{256, 512, 784, 2, 1, 2}, // forward: column strips repeat the smaller packing
		{784, 512, 256, 2, 1, 2}, // Xᵀ·dZ: 32 tiles of columns split evenly, 131 tiles of rows do not
		{256, 784, 512, 2, 1, 2}, // dZ·Wᵀ
		{1024, 1024, 1024, 2, 1, 2},
		{1, 1000, 700, 3, 1, 3},     // a single row splits by columns
		{700, 1, 513, 3, 3, 1},      // a single column splits by rows
		{2000, 64, 512, 2, 2, 1},    // tall C repeats the packing of a narrow op(B)
		{6, 16, 1000, 4, 1, 1},      // one tile cannot be split
		{12, 32, 1000, 16, 2, 2},    // four tiles for sixteen goroutines
		{1024, 1024, 1024, 4, 1, 4}, // 2×2 would pad 1024 rows to 1032
	}
	for _, c := range cases {
		rows, cols := gemmGrid(kern, c.m, c.n, c.k, c.parts)
		assert.Equal(t, [2]int{c.rows, c.cols}, [2]int{rows, cols}, "grid of %d×%d×%d in %d parts", c.m, c.n, c.k, c.parts)
	}
}

func TestGemmPartCoversEveryTile(t *testing.T) {
	for _, total := range []int{1, 6, 7, 100, 517, 1000} {
		for _, unit := range []int{6, 16} {
			tiles := (total + unit - 1) / unit
			for parts := 1; parts <= min(tiles, 9); parts++ {
				next := 0
				for i := range parts {
					start, size := gemmPart(total, unit, parts, i)
					require.Equal(t, next, start, "block %d of %d of total %d, unit %d", i, parts, total, unit)
					require.Positive(t, size, "block %d of %d of total %d, unit %d", i, parts, total, unit)
					if i < parts-1 {
						require.Zero(t, size%unit, "block %d of %d of total %d, unit %d is not whole tiles", i, parts, total, unit)
					}
					next = start + size
				}
				require.Equal(t, total, next, "%d blocks of total %d, unit %d", parts, total, unit)
			}
		}
	}
}

// TestGemmHelpersBounded checks that concurrent callers reuse the helper
// goroutines: however many call at once, at most threadLimit−1 exist.
func TestGemmHelpersBounded(t *testing.T) {
	requireAVX2FMA(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer SetMaxThreads(SetMaxThreads(3))
	g := newGemmCase(false, false, 200, 300, 100, 1, 0, 0, 0)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			c := make([]float32, len(g.c()))
			for range 5 {
				gemmParallel(&avx2Microkernel, 3, false, false, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
			}
		})
	}
	wg.Wait()
	started, busy := workers.Counts()
	// Other tests may have run with GOMAXPROCS 16 and started up to 15.
	assert.LessOrEqual(t, started, 15, "helpers started")
	assert.Zero(t, busy, "helpers still reserved after every call returned")
}

// TestParallelGemmAllocatesNothing checks that a warm split product, whose
// goroutines each take packing buffers, allocates nothing, also after a
// garbage collection.
func TestParallelGemmAllocatesNothing(t *testing.T) {
	requireAVX2FMA(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer SetMaxThreads(SetMaxThreads(2))
	g := newGemmCase(false, true, 256, 512, 784, 1, 0, 0, 0)
	run := func() {
		gemmAVX2(false, true, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c(), g.ldc)
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(10, run), "allocations per warm call")
	assert.Zero(t, testing.AllocsPerRun(5, func() { runtime.GC(); run() }), "allocations per call after a collection")
}

// BenchmarkParallelGemmBreakEven times products near the size from which
// gemmBlocked splits them, on one goroutine and split in two, so that
// gemmThreadMinWork can be set from where the split starts to win.
func BenchmarkParallelGemmBreakEven(b *testing.B) {
	requireAVX2FMA(b)
	shapes := [][3]int{
		{64, 64, 64}, {80, 80, 80}, {96, 96, 96}, {112, 112, 112}, {128, 128, 128},
		{160, 160, 160}, {192, 192, 192}, {256, 256, 256},
		{256, 10, 256}, {256, 256, 10}, {64, 256, 128}, {256, 64, 128},
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("shape=%dx%dx%d/threads=%d", m, n, k, threads), func(b *testing.B) {
				g := newGemmCase(false, false, m, n, k, 1, 0, 0, 0)
				c := g.c()
				b.ReportAllocs()
				for b.Loop() {
					if threads == 1 {
						gemmSerial(&avx2Microkernel, false, false, m, n, k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
					} else {
						gemmParallel(&avx2Microkernel, threads, false, false, m, n, k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
					}
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
