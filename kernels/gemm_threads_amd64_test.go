//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/simdgrad/simdgrad/internal/alloccount"
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
	defer SetMaxThreads(SetMaxThreads(16))
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
// garbage collection. It counts with alloccount, because
// testing.AllocsPerRun would set GOMAXPROCS to 1 and so run the product on
// one goroutine. A helper goes to sleep when the machine is so busy that it
// waits over a millisecond, and waking it may allocate a 112-byte sudog
// inside the runtime. So the test allows fewer allocations than calls, and
// fewer bytes than one set of packing buffers.
func TestParallelGemmAllocatesNothing(t *testing.T) {
	requireAVX2FMA(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer SetMaxThreads(SetMaxThreads(2))
	g := newGemmCase(false, true, 256, 512, 784, 1, 0, 0, 0)
	run := func() {
		gemmAVX2(false, true, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c(), g.ldc)
	}
	// A helper that wakes from sleep may start only after the caller has
	// returned its packing buffers, and reuse them, so the free list may
	// lend a second set only once the helper is awake.
	for range 5 {
		run()
	}
	require.Equal(t, 2, gemmThreads(g.m, g.n, g.k), "goroutines for the product")
	const calls = 20
	mallocs, bytes := alloccount.During(func() {
		for range calls {
			run()
		}
	})
	assert.Less(t, mallocs, uint64(calls), "allocations in %d warm calls on two goroutines", calls)
	assert.Less(t, bytes, uint64(16<<10), "bytes allocated in %d warm calls on two goroutines", calls)
	runtime.GC()
	_, bytes = alloccount.During(run)
	assert.Less(t, bytes, uint64(16<<10), "bytes allocated in a call after a collection")
}

// TestParallelGemmManyCallersAllocateNothing runs more callers at once than
// GOMAXPROCS, each with its own product, and checks that they allocate no
// packing buffers once the free list has lent as many as can be in use at
// once: one per caller and one for the helper. The products take several
// milliseconds, so the scheduler preempts callers in the middle of them and
// more calls than GOMAXPROCS hold buffers at once. Waking a sleeping
// goroutine may allocate a few bytes inside the runtime, so the test counts
// bytes against the 658 KiB of one set of buffers.
func TestParallelGemmManyCallersAllocateNothing(t *testing.T) {
	requireAVX2FMA(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer SetMaxThreads(SetMaxThreads(2))
	const callers = 5
	start, done := make(chan struct{}), make(chan struct{})
	defer close(start)

	for range callers {
		g := newGemmCase(false, false, 1024, 1024, 512, 1, 0, 0, 0)
		c := g.c()
		go func() {
			for range start {
				for range 2 {
					gemmAVX2(false, false, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
				}
				done <- struct{}{}
			}
		}()
	}

	round := func() {
		for range callers {
			start <- struct{}{}
		}
		for range callers {
			<-done
		}
	}

	// The free list lends a set for each caller and one for the helper.
	var lent [callers + 1]*gemmBlockBuffers
	for i := range lent {
		lent[i] = gemmBlockFree.Get()
	}
	for _, buf := range lent {
		gemmBlockFree.Put(buf)
	}
	_, bytes := alloccount.During(func() {
		for range 3 {
			round()
		}
	})
	assert.Less(t, bytes, uint64(64<<10), "bytes allocated in 3 warm rounds of %d callers", callers)
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
