package generic

import (
	"github.com/simdgrad/simdgrad/internal/arguments"
	"github.com/simdgrad/simdgrad/internal/freelist"
)

// Block sizes of the cache-blocked Gemm. A kc×nc block of op(B) is packed
// into panels of panelWidth columns; each panel (kc·panelWidth·4 = 8 KiB)
// stays in L1 while every row of an mc×kc block of op(A) (64 KiB, in L2)
// streams past it.
const (
	panelWidth = 8
	kc         = 256
	mc         = 64
	nc         = 1024
)

type packBuffers struct {
	a [mc * kc]float32
	b [kc * nc]float32
}

// buffers lends packing buffers, so that a warm Gemm allocates nothing.
var buffers freelist.List[packBuffers]

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X, or Xᵀ when
// the matching trans flag is set, op(A) is m×k, op(B) is k×n and C is m×n.
// All matrices are row-major with leading dimensions lda, ldb and ldc, as in
// CBLAS with row-major order. When beta is 0, C is written without being
// read; when alpha or k is 0, C becomes beta·C. Gemm panics before writing
// anything when a size is negative, a leading dimension is too small or a
// slice is too short.
func Gemm(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	if arguments.Gemm(pkg, transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc) {
		return
	}
	if alpha == 0 || k == 0 {
		ScaleMatrix(m, n, beta, c, ldc)
		return
	}

	buf := buffers.Get()
	defer buffers.Put(buf)
	for j0 := 0; j0 < n; j0 += nc {
		nb := min(nc, n-j0)
		for p0 := 0; p0 < k; p0 += kc {
			kb := min(kc, k-p0)
			// The first block of k applies beta; later ones accumulate.
			blockBeta := beta
			if p0 > 0 {
				blockBeta = 1
			}
			packB(buf.b[:], transB, b, ldb, p0, kb, j0, nb)
			for i0 := 0; i0 < m; i0 += mc {
				mb := min(mc, m-i0)
				packA(buf.a[:], transA, a, lda, i0, mb, p0, kb)
				macroKernel(mb, nb, kb, alpha, buf.a[:], buf.b[:], blockBeta, c[i0*ldc+j0:], ldc)
			}
		}
	}
}

// ScaleMatrix sets the m×n window of C to beta·C, writing zeros without
// reading C when beta is 0.
func ScaleMatrix(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packA copies the mb×kb block of op(A) at (i0, p0) into dst, row-major with
// leading dimension kb.
func packA(dst []float32, trans bool, a []float32, lda, i0, mb, p0, kb int) {
	if !trans {
		for i := 0; i < mb; i++ {
			copy(dst[i*kb:(i+1)*kb], a[(i0+i)*lda+p0:])
		}
		return
	}
	// op(A)[i][p] = A[p][i]: read A row by row, scatter down dst's columns.
	for p := 0; p < kb; p++ {
		src := a[(p0+p)*lda+i0 : (p0+p)*lda+i0+mb]
		for i, v := range src {
			dst[i*kb+p] = v
		}
	}
}

// packB copies the kb×nb block of op(B) at (p0, j0) into dst as panels of
// panelWidth columns, each stored k-major (panelWidth values per k), with the
// last panel padded with zeros.
func packB(dst []float32, trans bool, b []float32, ldb, p0, kb, j0, nb int) {
	for s := 0; s < nb; s += panelWidth {
		w := min(panelWidth, nb-s)
		panel := dst[s*kb : (s+panelWidth)*kb]
		for p := 0; p < kb; p++ {
			out := panel[p*panelWidth : (p+1)*panelWidth]
			if !trans {
				copy(out, b[(p0+p)*ldb+j0+s:(p0+p)*ldb+j0+s+w])
			} else {
				for j := 0; j < w; j++ {
					out[j] = b[(j0+s+j)*ldb+p0+p]
				}
			}
			clear(out[w:])
		}
	}
}

// macroKernel updates the mb×nb window of C from a packed block of op(A) and
// packed panels of op(B): C = alpha·A·B + beta·C.
func macroKernel(mb, nb, kb int, alpha float32, pa, pb []float32, beta float32,
	c []float32, ldc int) {
	var tile [panelWidth]float32
	for s := 0; s < nb; s += panelWidth {
		w := min(panelWidth, nb-s)
		panel := pb[s*kb : (s+panelWidth)*kb]
		for i := 0; i < mb; i++ {
			dot1x8(pa[i*kb:(i+1)*kb], panel, &tile)
			out := c[i*ldc+s : i*ldc+s+w]
			switch beta {
			case 0:
				for j := range out {
					out[j] = alpha * tile[j]
				}
			case 1:
				for j := range out {
					out[j] += alpha * tile[j]
				}
			default:
				for j := range out {
					out[j] = alpha*tile[j] + beta*out[j]
				}
			}
		}
	}
}

// dot1x8 sets t[j] to the dot product of row a with column j of a packed
// panel b (len(a) rows of panelWidth values). It keeps eight accumulators in
// registers and unrolls k by two, which measured fastest among scalar tiles
// (1×8, 2×4, 4×2, 3×4, 4×4) because Go's two-operand SSE code spills larger
// tiles.
func dot1x8(a, b []float32, t *[panelWidth]float32) {
	var c0, c1, c2, c3, c4, c5, c6, c7 float32
	b = b[:len(a)*panelWidth]
	for len(a) >= 2 && len(b) >= 16 {
		a0 := a[0]
		c0 += a0 * b[0]
		c1 += a0 * b[1]
		c2 += a0 * b[2]
		c3 += a0 * b[3]
		c4 += a0 * b[4]
		c5 += a0 * b[5]
		c6 += a0 * b[6]
		c7 += a0 * b[7]
		a1 := a[1]
		c0 += a1 * b[8]
		c1 += a1 * b[9]
		c2 += a1 * b[10]
		c3 += a1 * b[11]
		c4 += a1 * b[12]
		c5 += a1 * b[13]
		c6 += a1 * b[14]
		c7 += a1 * b[15]
		a = a[2:]
		b = b[16:]
	}
	if len(a) == 1 && len(b) >= 8 {
		a0 := a[0]
		c0 += a0 * b[0]
		c1 += a0 * b[1]
		c2 += a0 * b[2]
		c3 += a0 * b[3]
		c4 += a0 * b[4]
		c5 += a0 * b[5]
		c6 += a0 * b[6]
		c7 += a0 * b[7]
	}
	*t = [panelWidth]float32{c0, c1, c2, c3, c4, c5, c6, c7}
}
