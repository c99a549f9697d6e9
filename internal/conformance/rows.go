package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// rowsMs and rowsNs are the matrix shapes of the AddBias and SumRows tests:
// every column count up to 40 covers the tails of 4-, 8- and 16-lane
// vectors, and the larger ones several vector bodies.
var (
	rowsMs = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 100}
	rowsNs = append(sequence(0, 40), 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 1000, 1025)
)

// sequence returns lo, lo+1, ..., hi.
func sequence(lo, hi int) []int {
	s := make([]int, 0, hi-lo+1)
	for v := lo; v <= hi; v++ {
		s = append(s, v)
	}
	return s
}

// rowsCase is one call of AddBias or SumRows: an m×n matrix with leading
// dimension n+slack and a vector of n+extra elements, each placed that many
// elements after a 64-byte boundary.
type rowsCase struct {
	m, n, slack                int
	matrixOffset, vectorOffset int
	extra                      int
	// specials puts NaN and infinities among the values.
	specials bool
}

func (c rowsCase) String() string {
	return fmt.Sprintf("m=%d n=%d ld=%d offsets matrix/vector=%d/%d vector length n+%d specials=%t",
		c.m, c.n, c.n+c.slack, c.matrixOffset, c.vectorOffset, c.extra, c.specials)
}

// rowsCases returns the cases of the shape sweep, with the leading
// dimension slack, offsets and vector length varying between cases.
func rowsCases() []rowsCase {
	var cases []rowsCase
	for _, m := range rowsMs {
		for _, n := range rowsNs {
			cases = append(cases, rowsCase{
				m: m, n: n, slack: (m + n) % 6,
				matrixOffset: (3*m + n) % alignLen, vectorOffset: (5*n + m) % alignLen,
				extra: (m + n) % 3, specials: (m+n)%4 == 0,
			})
		}
	}
	return cases
}

// rowValue returns a finite value of any magnitude, so that sums overflow
// and lose bits in an order-dependent way, or, in cases with specials,
// now and then NaN or an infinity.
func rowValue(r *rand.Rand, specials bool) float32 {
	if specials && r.IntN(50) == 0 {
		return [...]float32{nan, inf, -inf}[r.IntN(3)]
	}
	return finiteValue(r)
}

// fillMatrix sets the rows×cols window of a matrix slice to values from
// next, leaving the slack between rows as it is.
func fillMatrix(s []float32, rows, cols, ld int, next func() float32) {
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			s[i*ld+j] = next()
		}
	}
}

func testAddBias(t *testing.T, k Kernels) {
	r := newRand(500)
	for _, c := range rowsCases() {
		require.NoError(t, checkAddBias(k, c, r))
	}

	// Nothing is read or written when m or n is 0, so the matrix may be nil.
	require.NotPanics(t, func() { k.AddBias(0, 3, []float32{1, 2, 3}, nil, 3) }, "AddBias m=0 with nil c")
	require.NotPanics(t, func() { k.AddBias(4, 0, nil, nil, 0) }, "AddBias n=0 with nil bias and c")
}

// checkAddBias runs one AddBias case and checks C against the float32 sums,
// the guards around C and in its slack, and that bias is unchanged.
func checkAddBias(k Kernels, c rowsCase, r *rand.Rand) error {
	ld := c.n + c.slack
	cBuf := newBuffer(spanLen(c.m, c.n, ld), c.matrixOffset, outputGuard)
	fillMatrix(cBuf.s, c.m, c.n, ld, func() float32 { return rowValue(r, c.specials) })
	bias := newBuffer(c.n+c.extra, c.vectorOffset, inputGuard)
	for j := range bias.s {
		bias.s[j] = rowValue(r, c.specials)
	}
	want := append([]float32(nil), cBuf.s...)
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			want[i*ld+j] += bias.s[j]
		}
	}
	cBefore, biasBefore := cBuf.snapshot(), bias.snapshot()

	k.AddBias(c.m, c.n, bias.s, cBuf.s, ld)

	inside := inMatrix(c.m, c.n, ld)
	if err := cBuf.checkUnchanged("c", cBefore, inside); err != nil {
		return fmt.Errorf("AddBias %v: %w", c, err)
	}
	if err := bias.checkUnchanged("bias", biasBefore, nil); err != nil {
		return fmt.Errorf("AddBias %v: %w", c, err)
	}
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			if got := cBuf.s[i*ld+j]; !sameBits(got, want[i*ld+j]) {
				return fmt.Errorf("AddBias %v: C[%d][%d] = %s, want %s = %s + bias %s",
					c, i, j, format(got), format(want[i*ld+j]), format(cBefore[cBuf.start+i*ld+j]), format(bias.s[j]))
			}
		}
	}
	return nil
}

func testSumRows(t *testing.T, k Kernels) {
	r := newRand(600)
	for _, c := range rowsCases() {
		require.NoError(t, checkSumRows(k, c, r))
	}

	// With m = 0 nothing is read, so A may be nil, and dst[:n] becomes +0.
	dst := []float32{nan, nan, nan, 7}
	k.SumRows(0, 3, nil, 3, dst)
	require.Equal(t, []uint32{0, 0, 0, math.Float32bits(7)},
		[]uint32{math.Float32bits(dst[0]), math.Float32bits(dst[1]), math.Float32bits(dst[2]), math.Float32bits(dst[3])},
		"SumRows m=0 n=3 with nil a: dst bits")
	require.NotPanics(t, func() { k.SumRows(4, 0, nil, 0, nil) }, "SumRows n=0 with nil a and dst")
}

// checkSumRows runs one SumRows case. It checks dst[:n] bit for bit
// against the float32 column sums, each taken from row 0 down, and checks
// that dst[n:], the guards and A are unchanged. dst starts as NaN guards,
// so a path that adds to dst rather than overwriting it fails.
func checkSumRows(k Kernels, c rowsCase, r *rand.Rand) error {
	ld := c.n + c.slack
	a := newBuffer(spanLen(c.m, c.n, ld), c.matrixOffset, inputGuard)
	fillMatrix(a.s, c.m, c.n, ld, func() float32 { return rowValue(r, c.specials) })
	if c.m > 0 && c.n > 0 {
		// A column of -0 sums to -0 only when the sum starts from row 0
		// rather than from +0.
		col := (7 * c.m) % c.n
		for i := 0; i < c.m; i++ {
			a.s[i*ld+col] = negZero
		}
	}
	dst := newBuffer(c.n+c.extra, c.vectorOffset, outputGuard)
	want := make([]float32, c.n)
	for j := range want {
		if c.m == 0 {
			continue
		}
		sum := a.s[j]
		for i := 1; i < c.m; i++ {
			sum += a.s[i*ld+j]
		}
		want[j] = sum
	}
	aBefore, dstBefore := a.snapshot(), dst.snapshot()

	k.SumRows(c.m, c.n, a.s, ld, dst.s)

	if err := dst.checkUnchanged("dst", dstBefore, func(j int) bool { return j < c.n }); err != nil {
		return fmt.Errorf("SumRows %v: %w", c, err)
	}
	if err := a.checkUnchanged("a", aBefore, nil); err != nil {
		return fmt.Errorf("SumRows %v: %w", c, err)
	}
	for j, w := range want {
		if got := dst.s[j]; !sameBits(got, w) {
			return fmt.Errorf("SumRows %v: dst[%d] = %s, want %s (column summed from row 0 down in float32)",
				c, j, format(got), format(w))
		}
	}
	return nil
}
