//go:build !purego && (amd64 || arm64)

package kernels

import (
	"github.com/simdgrad/simdgrad/internal/freelist"
	"github.com/simdgrad/simdgrad/internal/workers"
)

// gemmThreadMinWork is the least m·n·k that gemmBlocked gives to one
// goroutine, so a product is split only from 2·gemmThreadMinWork ≈ 1.05
// million multiply-adds, about 102³.
//
// Measured on a 2-core Zen 2 virtual machine with
// BenchmarkParallelGemmBreakEven, best of 3 runs of 300 ms, one goroutine
// against two, in GFLOP/s: 64³ 64 against 78, 96³ 80 against 118, 128³ 82
// against 104, 192³ 91 against 130, 256³ 92 against 125. 256×10×256 won
// (34 against 46) but 256×256×10 lost (44 against 31): with k = 10, writing
// C costs more than the multiply-adds, and the split only adds the
// hand-off. Those calls come back to back, so the helper is still spinning
// (see workers) and takes its share within microseconds. A helper that has
// slept gains nothing: after 5 ms of sleep, the median of 40 calls was 146
// µs on one goroutine against 158 on two at 128³, and 783 against 795 at
// 256³. So the threshold sits above the 0.66 million of the k = 10 product
// and below 128³, where back-to-back calls gain a quarter and a sleeping
// helper costs under a tenth.
//
// NOTE: the noise of the shared machine was ±15% between runs, so the
// break-even point is known only to within that range.
const gemmThreadMinWork = 1 << 19

// gemmPackCost is the estimated cost of packing one element of op(A) or
// op(B), in multiply-adds of the microkernel. Packing op(A) once per nc
// block takes about 1% of the time at 1024³, which is about 5 multiply-adds
// per element. gemmGrid needs only the order of magnitude to weigh packing
// against imbalance.
const gemmPackCost = 4

// gemmThreads returns the number of goroutines that an m×n×k product
// should run on: one per gemmThreadMinWork of work, up to threadLimit.
func gemmThreads(m, n, k int) int {
	work := int64(m) * int64(n) * int64(k)
	if work < 2*gemmThreadMinWork {
		return 1
	}
	return int(min(int64(threadLimit()), work/gemmThreadMinWork))
}

// gemmJob is a product split into a grid of rows×cols blocks of C, one
// part per block. Jobs come from a free list, because a job handed to
// helpers escapes to the heap.
type gemmJob struct {
	kern           *gemmMicrokernel
	rows, cols     int
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

var gemmJobFree freelist.List[gemmJob]

// RunPart runs gemmSerial on block i of C, in row-major order of the grid,
// with the parts of op(A) and op(B) that the block reads.
func (j *gemmJob) RunPart(i int) {
	i0, mb := gemmPart(j.m, j.kern.mr, j.rows, i/j.cols)
	j0, nb := gemmPart(j.n, j.kern.nr, j.cols, i%j.cols)
	// Row i0 of op(A) starts row i0 of A, or column i0 when A is
	// transposed, and likewise column j0 of op(B).
	startA, startB := i0*j.lda, j0
	if j.transA {
		startA = i0
	}
	if j.transB {
		startB = j0 * j.ldb
	}
	a, b := j.a[startA:], j.b[startB:]
	gemmSerial(j.kern, j.transA, j.transB, mb, nb, j.k, j.alpha,
		a, j.lda, b, j.ldb, j.beta, j.c[i0*j.ldc+j0:], j.ldc)
}

// gemmParallel computes C = alpha·op(A)·op(B) + beta·C on the calling
// goroutine and up to threads−1 helpers. It splits C into a grid of blocks
// (see gemmGrid), one per goroutine, and each goroutine runs gemmSerial on
// its block with its own packing buffers. Every element of C is still
// summed over the same kc blocks of k in the same order, so the result is
// the same bit for bit as on one goroutine. It assumes valid arguments with
// m, n, k > 0 and alpha ≠ 0.
func gemmParallel(kern *gemmMicrokernel, threads int, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	team := workers.Reserve(threads-1, threadLimit())
	if team.Size() == 0 {
		// Other calls hold every helper.
		gemmSerial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	job := gemmJobFree.Get()
	*job = gemmJob{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc}
	// A narrow C may have fewer tiles than there are goroutines.
	job.rows, job.cols = gemmGrid(kern, m, n, k, team.Size()+1)
	team.Run(job, job.rows*job.cols)
	// Drop the caller's matrices, which the idle job must not keep alive.
	*job = gemmJob{}
	gemmJobFree.Put(job)
}

// gemmGrid returns the grid of rows×cols blocks, with rows·cols ≤ parts,
// into which gemmParallel splits an m×n×k product. Row blocks are whole
// mr-row tiles and column blocks whole nr-column tiles, as equal in number
// as they can be.
//
// It chooses the grid whose largest block takes the fewest estimated
// multiply-adds, because the call lasts as long as its slowest goroutine.
// The estimate counts the multiply-adds of the padded tiles of the block,
// which charges the imbalance of splitting a few tiles, and the packing
// that each goroutine repeats. A goroutine packs its columns of op(B) once
// and its rows of op(A) once per nc block of its columns. So column strips
// pack op(A) again in every strip, and row strips pack op(B) again in every
// strip, and the estimate prefers column strips when m < n and row strips
// when m > n, unless the tiles split unevenly.
func gemmGrid(kern *gemmMicrokernel, m, n, k, parts int) (rows, cols int) {
	mr, nr := kern.mr, kern.nr
	nc := gemmNC / nr * nr
	tilesM, tilesN := ceilDiv(m, mr), ceilDiv(n, nr)
	best := -1.0
	for r := 1; r <= min(parts, tilesM); r++ {
		c := min(parts/r, tilesN)
		// The first block of each row and column is the largest.
		blockM := min(m, ceilDiv(tilesM, r)*mr)
		blockN := min(n, ceilDiv(tilesN, c)*nr)
		fma := float64(ceilDiv(blockM, mr)*mr) * float64(ceilDiv(blockN, nr)*nr) * float64(k)
		packed := float64(k) * (float64(blockM)*float64(ceilDiv(blockN, nc)) + float64(blockN))
		cost := fma + gemmPackCost*packed
		if best < 0 || cost < best {
			best, rows, cols = cost, r, c
		}
	}
	return rows, cols
}

// gemmPart returns the start and size of block i of the parts blocks that
// split total into whole tiles of unit, the first blocks one tile larger
// when the tiles do not divide evenly. parts must not exceed the number of
// tiles.
func gemmPart(total, unit, parts, i int) (start, size int) {
	tiles := ceilDiv(total, unit)
	base, extra := tiles/parts, tiles%parts
	first := i*base + min(i, extra)
	count := base
	if i < extra {
		count++
	}
	start = first * unit
	return start, min(total, (first+count)*unit) - start
}

func ceilDiv(x, y int) int {
	return (x + y - 1) / y
}
