//go:build !purego && (amd64 || arm64)

package kernels

import (
	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/internal/freelist"
)

// Block sizes of the packed Gemm, in the loop order of BLIS and GotoBLAS.
// A microkernel call updates one mr×nr tile of C from an mr×kc micro-panel
// of op(A) and a kc×nr micro-panel of op(B):
//
//   - gemmKC = 256: a 6×16 float32 kernel's B micro-panel is kc·16·4 =
//     16 KiB, half of a 32 KiB L1 data cache, so it stays there while the
//     6 KiB A micro-panels of one mc block stream past it. A larger kc
//     would spill it, and a smaller one calls the kernel (and reads and
//     writes its tile of C) more often per FMA.
//   - gemmMC = 144: the packed mc×kc block of op(A) is 144 KiB, which stays
//     in a 512 KiB L2 cache with room for the B micro-panels that pass
//     through on their way to L1. 144 is a multiple of 6, 8 and 12, the
//     likely register tile heights.
//   - gemmNC = 512: the packed kc×nc block of op(B) is 512 KiB and lives in
//     L2 and L3. A larger nc would pack op(A) fewer times (an estimated 1%
//     of the time at 1024³, from the packing rate) but make every buffer
//     bigger, and each goroutine that runs a share of a product needs one.
//
// gemmBlockSize splits each dimension into blocks of equal size, so that a
// k of 257 becomes two blocks of 132 and 125 rather than 256 and 1. Each C
// element is the sum over k in ascending order of kc blocks, and within a
// block in ascending k, and the kc blocks depend on k alone. So results do
// not depend on m, n or on how the tiles are split up, and gemmParallel
// can split C into blocks for several goroutines without changing a bit.
//
// NOTE: the sizes were tuned on one AMD Zen 2 core (32 KiB L1d, 512 KiB
// L2); CPUs with smaller caches may prefer a smaller gemmMC.
const (
	gemmKC = 256
	gemmMC = 144
	gemmNC = 512
)

// gemmMaxMR and gemmMaxNR bound the register tile of any microkernel, for
// the size of the buffers that hold one micro-panel and one edge tile.
const (
	gemmMaxMR = 16
	gemmMaxNR = 32
)

// gemmDirectMaxWork is the largest m·n·k that the direct path handles: it
// feeds the strided microkernel from A and B in place and packs only edge
// panels (and op(B) when B is transposed).
//
// Measured on one Zen 2 core, as thread CPU time, best of several runs of
// the BenchmarkGemmAVX2Paths shapes: direct beat packed at 16³ (23 against
// 16 GFLOP/s), 24³ (27 against 23), 48³ (75 against 61) and 256×16×64 (72
// against 51). The two tied at 32³ and at 64³ without transposes. Packed
// won at 64³ with a transpose (60 against 53), at 65³ (48 against 45), at
// 16×256×64 (53 against 39) and at 128³. In place, a B panel whose rows are
// a power of two apart aliases in L1, and A is read again for every nr
// columns. So the switch sits at 2¹⁷ ≈ 51³.
const gemmDirectMaxWork = 1 << 17

// Write-back modes of a microkernel call, the values of its mode argument.
const (
	gemmOverwrite  = 0 // C = alpha·A·B, without reading C (beta = 0)
	gemmAccumulate = 1 // C = alpha·A·B + C
	gemmScale      = 2 // C = alpha·A·B + beta·C
)

// gemmMicrokernel is a register tile of mr×nr float32 values, with mr ≤
// gemmMaxMR and nr ≤ gemmMaxNR, and the assembly functions that compute and
// pack it. The two tile functions compute C = alpha·A·B + beta·C in the
// write-back mode given and accumulate each element in ascending k with one
// FMA per step, so both give the same bits. The driver calls them with
// k ≤ gemmKC, so that each call is short: assembly is not preemptible.
type gemmMicrokernel struct {
	mr, nr int

	// packed reads an mr×k micro-panel a of op(A), stored k-major (mr
	// values per k), and a k×nr micro-panel b of op(B) (nr values per k).
	packed func(k int, a, b, c []float32, ldc int, alpha, beta float32, mode int)

	// strided reads A[i][p] at a[i·rsA+p·csA] and the nr values of row p
	// of op(B) at b[p·rsB:].
	strided func(k int, a []float32, rsA, csA int, b []float32, rsB int,
		c []float32, ldc int, alpha, beta float32, mode int)

	// copyA and copyB, when not nil, pack a full micro-panel of op(A) or
	// op(B) whose k-major rows are rows of the source: panel[p·w+j] =
	// src[p·ld+j] for j < w and p < k, with w = mr or nr and k a multiple
	// of 4. transposeA and transposeB do the same when the k-major rows are
	// columns of the source: panel[p·w+j] = src[j·ld+p]. The Go loops that
	// replace them move one value, or one short row, at a time.
	copyA, copyB           func(panel, src []float32, ld, k int)
	transposeA, transposeB func(panel, src []float32, ld, k int)
}

// gemmBlockBuffers holds the packed blocks of op(A) and op(B) of the packed
// path and its edge tile, 658 KiB in all.
type gemmBlockBuffers struct {
	a    [gemmMC * gemmKC]float32
	b    [gemmKC * gemmNC]float32
	tile [gemmMaxMR * gemmMaxNR]float32
}

// gemmPanelBuffers holds the micro-panels and the edge tile of the direct
// path, 50 KiB in all, so that a small product that finds no idle buffer
// allocates and clears no more than that.
type gemmPanelBuffers struct {
	a    [gemmMaxMR * gemmKC]float32
	b    [gemmKC * gemmMaxNR]float32
	tile [gemmMaxMR * gemmMaxNR]float32
}

// The free lists lend buffers, so that a warm Gemm allocates nothing, and
// give concurrent calls and the goroutines of one call separate buffers.
var (
	gemmBlockFree freelist.List[gemmBlockBuffers]
	gemmPanelFree freelist.List[gemmPanelBuffers]
)

// gemmBlocked computes C = alpha·op(A)·op(B) + beta·C with the microkernel
// kern. It assumes valid arguments with m, n > 0. Large products are split
// across goroutines by gemmParallel; the rest run on the calling goroutine.
func gemmBlocked(kern *gemmMicrokernel, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	if alpha == 0 || k == 0 {
		generic.ScaleMatrix(m, n, beta, c, ldc)
		return
	}
	if threads := gemmThreads(m, n, k); threads > 1 {
		gemmParallel(kern, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmSerial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmSerial computes C = alpha·op(A)·op(B) + beta·C on the calling
// goroutine, with the direct path for small products and the packed one
// for the rest. It assumes valid arguments with m, n, k > 0 and alpha ≠ 0.
func gemmSerial(kern *gemmMicrokernel, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	if work := m * n; work <= gemmDirectMaxWork && k <= gemmDirectMaxWork/work {
		gemmDirect(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmPacked(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmBlockSize returns the size of the blocks that split total into the
// fewest blocks of at most limit, as equal as they can be with every block
// but the last a multiple of unit. limit must be a multiple of unit.
func gemmBlockSize(total, limit, unit int) int {
	blocks := (total + limit - 1) / limit
	size := (total + blocks - 1) / blocks
	return min(limit, (size+unit-1)/unit*unit)
}

// gemmFirstMode returns the write-back mode for the first kc block, which
// applies beta; later blocks use gemmAccumulate.
func gemmFirstMode(beta float32) int {
	switch beta {
	case 0:
		return gemmOverwrite
	case 1:
		return gemmAccumulate
	default:
		return gemmScale
	}
}

// gemmPacked is the five-loop blocked Gemm. For each nc block of columns
// and kc block of k, it packs op(B) into nr-column micro-panels. Then, for
// each mc block of rows, it packs op(A) into mr-row micro-panels and runs
// the microkernel over every tile.
func gemmPacked(kern *gemmMicrokernel, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	buf := gemmBlockFree.Get()
	defer gemmBlockFree.Put(buf)

	mc := gemmBlockSize(m, gemmMC/kern.mr*kern.mr, kern.mr)
	nc := gemmBlockSize(n, gemmNC/kern.nr*kern.nr, kern.nr)
	kc := gemmBlockSize(k, gemmKC, 4)
	for j0 := 0; j0 < n; j0 += nc {
		nb := min(nc, n-j0)
		mode := gemmFirstMode(beta)
		for p0 := 0; p0 < k; p0 += kc {
			kb := min(kc, k-p0)
			kern.packB(buf.b[:], transB, b, ldb, p0, kb, j0, nb)
			for i0 := 0; i0 < m; i0 += mc {
				mb := min(mc, m-i0)
				kern.packA(buf.a[:], transA, a, lda, i0, mb, p0, kb)
				kern.macroKernel(buf, mb, nb, kb, alpha, beta, mode, c[i0*ldc+j0:], ldc)
			}
			mode = gemmAccumulate
		}
	}
}

// macroKernel updates the mb×nb window at the start of c from the packed
// blocks in buf, one microkernel call per tile. The B micro-panel of the
// outer loop stays in L1 while the inner loop streams A micro-panels.
func (kern *gemmMicrokernel) macroKernel(buf *gemmBlockBuffers, mb, nb, kb int,
	alpha, beta float32, mode int, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nb; jr += nr {
		w := min(nr, nb-jr)
		panelB := buf.b[jr*kb : (jr+nr)*kb]
		for ir := 0; ir < mb; ir += mr {
			h := min(mr, mb-ir)
			panelA := buf.a[ir*kb : (ir+mr)*kb]
			corner := ir*ldc + jr
			if h == mr && w == nr {
				kern.packed(kb, panelA, panelB, c[corner:corner+(mr-1)*ldc+nr], ldc,
					alpha, beta, mode)
				continue
			}
			tile := buf.tile[:mr*nr]
			if mode != gemmOverwrite {
				loadTile(tile, nr, c[corner:], ldc, h, w)
			}
			kern.packed(kb, panelA, panelB, tile, nr, alpha, beta, mode)
			storeTile(c[corner:], ldc, tile, nr, h, w)
		}
	}
}

// gemmDirect computes small products without packing whole blocks: the
// strided microkernel reads op(A) in place for full tiles and op(B) in place
// when B is not transposed and the tile is full. Only panels that a tile
// would read past the edge of, and op(B) when B is transposed, are packed.
func gemmDirect(kern *gemmMicrokernel, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	var buf *gemmPanelBuffers
	if transB || n%nr != 0 || m%mr != 0 {
		buf = gemmPanelFree.Get()
		defer gemmPanelFree.Put(buf)
	}

	// A[i][p] is a[i·rsA + p·csA] in the unpacked matrix. The rows past the
	// last full tile, if any, are packed once per kc block.
	rsA, csA := lda, 1
	if transA {
		rsA, csA = 1, lda
	}
	edgeRow := m - m%mr
	kc := gemmBlockSize(k, gemmKC, 4)
	mode := gemmFirstMode(beta)
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		if edgeRow < m {
			kern.packA(buf.a[:], transA, a, lda, edgeRow, m-edgeRow, p0, kb)
		}
		for j0 := 0; j0 < n; j0 += nr {
			w := min(nr, n-j0)
			var panelB []float32
			rsB := nr
			if !transB && w == nr {
				start := p0*ldb + j0
				panelB = b[start : start+(kb-1)*ldb+nr]
				rsB = ldb
			} else {
				kern.packB(buf.b[:], transB, b, ldb, p0, kb, j0, w)
				panelB = buf.b[:kb*nr]
			}
			for i0 := 0; i0 < m; i0 += mr {
				h := min(mr, m-i0)
				var panelA []float32
				rs, cs := rsA, csA
				if h == mr {
					start := i0*rsA + p0*csA
					panelA = a[start : start+(mr-1)*rsA+(kb-1)*csA+1]
				} else {
					panelA = buf.a[:mr*kb]
					rs, cs = 1, mr
				}
				corner := i0*ldc + j0
				if h == mr && w == nr {
					kern.strided(kb, panelA, rs, cs, panelB, rsB,
						c[corner:corner+(mr-1)*ldc+nr], ldc, alpha, beta, mode)
					continue
				}
				tile := buf.tile[:mr*nr]
				if mode != gemmOverwrite {
					loadTile(tile, nr, c[corner:], ldc, h, w)
				}
				kern.strided(kb, panelA, rs, cs, panelB, rsB, tile, nr, alpha, beta, mode)
				storeTile(c[corner:], ldc, tile, nr, h, w)
			}
		}
		mode = gemmAccumulate
	}
}

// loadTile copies the h×w window at the start of c into tile, whose rows are
// ldt apart. Edge tiles are narrow or short, so a loop beats a call to copy
// per row.
func loadTile(tile []float32, ldt int, c []float32, ldc, h, w int) {
	for i := 0; i < h; i++ {
		src, dst := c[i*ldc:i*ldc+w], tile[i*ldt:i*ldt+w]
		for j, v := range src {
			dst[j] = v
		}
	}
}

// storeTile copies the h×w window at the start of tile, whose rows are ldt
// apart, into c.
func storeTile(c []float32, ldc int, tile []float32, ldt, h, w int) {
	for i := 0; i < h; i++ {
		src, dst := tile[i*ldt:i*ldt+w], c[i*ldc:i*ldc+w]
		for j, v := range src {
			dst[j] = v
		}
	}
}

// packA copies the mb×kb block of op(A) at (i0, p0) into dst as micro-panels
// of mr rows, each stored k-major (mr values per k), and pads the last panel
// with zero rows.
func (kern *gemmMicrokernel) packA(dst []float32, trans bool, a []float32, lda, i0, mb, p0, kb int) {
	mr := kern.mr
	if trans {
		packPanelsFromRows(dst, mr, a[p0*lda+i0:], lda, kb, mb, kern.copyA)
		return
	}
	for r := 0; r < mb; r += mr {
		h := min(mr, mb-r)
		panel := dst[r*kb : (r+mr)*kb]
		packPanelFromColumns(panel, mr, a[(i0+r)*lda+p0:], lda, h, kb, kern.transposeA)
	}
}

// packB copies the kb×nb block of op(B) at (p0, j0) into dst as micro-panels
// of nr columns, each stored k-major (nr values per k), and pads the last
// panel with zero columns.
func (kern *gemmMicrokernel) packB(dst []float32, trans bool, b []float32, ldb, p0, kb, j0, nb int) {
	nr := kern.nr
	if !trans {
		packPanelsFromRows(dst, nr, b[p0*ldb+j0:], ldb, kb, nb, kern.copyB)
		return
	}
	for s := 0; s < nb; s += nr {
		w := min(nr, nb-s)
		panel := dst[s*kb : (s+nr)*kb]
		packPanelFromColumns(panel, nr, b[(j0+s)*ldb+p0:], ldb, w, kb, kern.transposeB)
	}
}

// packPanelsFromRows packs the rows×cols matrix src into micro-panels of
// width columns, each stored k-major: dst[s·rows + p·width + j] =
// src[p·ld + s + j] for each panel start s, with zero columns padding the
// last panel. It copies blocks of 8 rows into every full panel in turn, so
// that it reads src row after row. Panel by panel, it would read one
// width-wide strip of every row, and rows a power of two apart alias in L1
// and come again from L2 or L3 for the next strip. Measured on Zen 2, that
// order took 1.9 times as long to pack the 784×512 op(B) of a 256×512×784
// product, and made transposed A with lda = 512 about 4% slower than with
// lda = 528.
func packPanelsFromRows(dst []float32, width int, src []float32, ld, rows, cols int,
	copyRows func(panel, src []float32, ld, k int)) {
	const rowBlock = 8
	full := cols - cols%width
	done := 0
	if copyRows != nil {
		done = rows - rows%rowBlock
		for p := 0; p < done; p += rowBlock {
			for s := 0; s < full; s += width {
				panel := dst[s*rows+p*width : s*rows+(p+rowBlock)*width]
				_ = src[(p+rowBlock-1)*ld+s+width-1]
				copyRows(panel, src[p*ld+s:], ld, rowBlock)
			}
		}
	}
	for s := 0; s < cols; s += width {
		w := min(width, cols-s)
		panel := dst[s*rows : (s+width)*rows]
		if w < width {
			packPanelFromRows(panel, width, src[s:], ld, rows, w)
			continue
		}
		for p := done; p < rows; p++ {
			copy(panel[p*width:(p+1)*width], src[p*ld+s:p*ld+s+width])
		}
	}
}

// packPanelFromRows packs one partial micro-panel whose k-major rows are
// rows of src: panel[p·width+j] = src[p·ld+j] for p < rows and j < cols <
// width, with zero columns for cols ≤ j < width.
func packPanelFromRows(panel []float32, width int, src []float32, ld, rows, cols int) {
	panel = panel[:rows*width]
	clear(panel)
	for p := 0; p < rows; p++ {
		out := panel[p*width : p*width+cols]
		for j, v := range src[p*ld : p*ld+cols] {
			out[j] = v
		}
	}
}

// packPanelFromColumns packs one micro-panel whose k-major rows are columns
// of src: panel[p·width+j] = src[j·ld+p] for j < rows ≤ width and p < cols,
// with zero columns for rows ≤ j < width. When rows = width, transpose (if
// not nil) packs the columns in multiples of 4 and the loop the rest.
func packPanelFromColumns(panel []float32, width int, src []float32, ld, rows, cols int,
	transpose func(panel, src []float32, ld, k int)) {
	panel = panel[:cols*width]
	done := 0
	if transpose != nil && rows == width && cols >= 4 {
		done = cols &^ 3
		_ = src[(rows-1)*ld+done-1]
		transpose(panel, src, ld, done)
	}
	if rows < width {
		clear(panel)
	}
	for j := 0; j < rows; j++ {
		row := src[j*ld+done : j*ld+cols]
		for p, v := range row {
			panel[(done+p)*width+j] = v
		}
	}
}
