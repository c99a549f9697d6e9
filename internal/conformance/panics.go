package conformance

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// testBadArguments checks that every class of bad argument panics with its
// exact message, built from k.Prefix, and that nothing is written first.
func testBadArguments(t *testing.T, k Kernels) {
	t.Run("gemm", func(t *testing.T) { testGemmBadArguments(t, k) })
	t.Run("elementwise", func(t *testing.T) { testElementwiseBadArguments(t, k) })
	t.Run("addbias", func(t *testing.T) { testAddBiasBadArguments(t, k) })
	t.Run("sumrows", func(t *testing.T) { testSumRowsBadArguments(t, k) })
}

// message returns a panic message of k: the prefix, a colon and the text.
func (k Kernels) message(format string, args ...any) string {
	return k.Prefix + ": " + fmt.Sprintf(format, args...)
}

// gemmArgs are the arguments of one Gemm call apart from the scalars.
type gemmArgs struct {
	m, n, k               int
	lda, ldb, ldc         int
	lenA, lenB, lenC      int
	nilA, nilB, nilC      bool
	transA, transB        bool
	name, expectedMessage string
}

func testGemmBadArguments(t *testing.T, k Kernels) {
	const m, n, kk = 3, 5, 4
	for _, tr := range transposes {
		// op(A) is m×k, stored k×m when transposed; op(B) is k×n, stored
		// n×k when transposed. Each leading dimension is compared with the
		// column count of the stored matrix.
		rowsA, colsA, colsAName := m, kk, "k"
		if tr[0] {
			rowsA, colsA, colsAName = kk, m, "m"
		}
		rowsB, colsB, colsBName := kk, n, "n"
		if tr[1] {
			rowsB, colsB, colsBName = n, kk, "k"
		}
		valid := gemmArgs{
			m: m, n: n, k: kk, lda: colsA + 2, ldb: colsB + 1, ldc: n + 3,
			transA: tr[0], transB: tr[1],
		}
		valid.lenA = spanLen(rowsA, colsA, valid.lda)
		valid.lenB = spanLen(rowsB, colsB, valid.ldb)
		valid.lenC = spanLen(m, n, valid.ldc)

		cases := []gemmArgs{}
		add := func(name, message string, change func(*gemmArgs)) {
			c := valid
			change(&c)
			c.name, c.expectedMessage = name, message
			cases = append(cases, c)
		}
		add("m<0", k.message("m -1 < 0"), func(c *gemmArgs) { c.m = -1 })
		add("n<0", k.message("n -2 < 0"), func(c *gemmArgs) { c.n = -2 })
		add("k<0", k.message("k -3 < 0"), func(c *gemmArgs) { c.k = -3 })
		add("lda", k.message("lda %d < %s %d", colsA-1, colsAName, colsA), func(c *gemmArgs) { c.lda = colsA - 1 })
		add("lda=0", k.message("lda 0 < %s %d", colsAName, colsA), func(c *gemmArgs) { c.lda = 0 })
		add("ldb", k.message("ldb %d < %s %d", colsB-1, colsBName, colsB), func(c *gemmArgs) { c.ldb = colsB - 1 })
		add("ldb=0", k.message("ldb 0 < %s %d", colsBName, colsB), func(c *gemmArgs) { c.ldb = 0 })
		add("ldc", k.message("ldc %d < n %d", n-1, n), func(c *gemmArgs) { c.ldc = n - 1 })
		// Leading dimensions are checked even when m is 0 and nothing
		// else is.
		add("ldc m=0", k.message("ldc %d < n %d", n-1, n), func(c *gemmArgs) { c.m, c.ldc = 0, n-1 })
		add("ldb m=0", k.message("ldb %d < %s %d", colsB-1, colsBName, colsB), func(c *gemmArgs) { c.m, c.ldb = 0, colsB-1 })
		add("len(a)", k.message("len(a) %d < %d", valid.lenA-1, valid.lenA), func(c *gemmArgs) { c.lenA-- })
		add("nil a", k.message("len(a) 0 < %d", valid.lenA), func(c *gemmArgs) { c.nilA = true })
		add("len(b)", k.message("len(b) %d < %d", valid.lenB-1, valid.lenB), func(c *gemmArgs) { c.lenB-- })
		add("nil b", k.message("len(b) 0 < %d", valid.lenB), func(c *gemmArgs) { c.nilB = true })
		add("len(c)", k.message("len(c) %d < %d", valid.lenC-1, valid.lenC), func(c *gemmArgs) { c.lenC-- })
		add("nil c", k.message("len(c) 0 < %d", valid.lenC), func(c *gemmArgs) { c.nilC = true })

		for _, c := range cases {
			requireGemmPanics(t, k, c)
		}
	}
}

// requireGemmPanics calls Gemm with the arguments of c and requires the
// panic message of c and A, B and C unchanged.
func requireGemmPanics(t *testing.T, k Kernels, c gemmArgs) {
	t.Helper()
	r := newRand(1100)
	buffers := make([]*buffer, 3)
	for i, length := range []int{c.lenA, c.lenB, c.lenC} {
		buffers[i] = newBuffer(length, i, outputGuard)
		for j := range buffers[i].s {
			buffers[i].s[j] = finiteValue(r)
		}
	}
	a, b, cc := buffers[0].s, buffers[1].s, buffers[2].s
	if c.nilA {
		a = nil
	}
	if c.nilB {
		b = nil
	}
	if c.nilC {
		cc = nil
	}
	before := [3][]float32{buffers[0].snapshot(), buffers[1].snapshot(), buffers[2].snapshot()}
	require.PanicsWithValuef(t, c.expectedMessage, func() {
		k.Gemm(c.transA, c.transB, c.m, c.n, c.k, 1.5, a, c.lda, b, c.ldb, 0, cc, c.ldc)
	}, "Gemm %s transA=%t transB=%t m=%d n=%d k=%d ld a/b/c=%d/%d/%d len a/b/c=%d/%d/%d",
		c.name, c.transA, c.transB, c.m, c.n, c.k, c.lda, c.ldb, c.ldc, len(a), len(b), len(cc))
	for i, name := range []string{"a", "b", "c"} {
		require.NoError(t, buffers[i].checkUnchanged(name, before[i], nil), "Gemm %s: after the panic", c.name)
	}
}

func testElementwiseBadArguments(t *testing.T, k Kernels) {
	for _, e := range elementwiseKernels() {
		type lengths struct {
			out, a, b int
			nilOut    bool
			message   string
		}
		var cases []lengths
		if !e.grad {
			cases = []lengths{
				{out: 4, a: 3, message: k.message("len(x) 3 != len(y) 4")},
				{out: 3, a: 4, message: k.message("len(x) 4 != len(y) 3")},
				{out: 0, a: 2, nilOut: true, message: k.message("len(x) 2 != len(y) 0")},
				{out: 2, a: 0, message: k.message("len(x) 0 != len(y) 2")},
			}
		} else {
			cases = []lengths{
				{out: 4, a: 3, b: 4, message: k.message("len(dy) 3 != len(dx) 4")},
				{out: 4, a: 5, b: 4, message: k.message("len(dy) 5 != len(dx) 4")},
				{out: 4, a: 4, b: 5, message: k.message("len(y) 5 != len(dx) 4")},
				{out: 3, a: 3, b: 2, message: k.message("len(y) 2 != len(dx) 3")},
				{out: 0, a: 1, b: 0, nilOut: true, message: k.message("len(dy) 1 != len(dx) 0")},
			}
		}
		for _, c := range cases {
			out := newBuffer(c.out, 0, outputGuard)
			outArg := out.s
			if c.nilOut {
				outArg = nil
			}
			a, b := make([]float32, c.a), make([]float32, c.b)
			for i := range a {
				a[i] = 1
			}
			for i := range b {
				b[i] = 1
			}
			before := out.snapshot()
			require.PanicsWithValuef(t, c.message, func() { e.call(k, outArg, a, b, 0.01) },
				"%s with len(out) %d, len(%s) %d, len(%s) %d", e.name, c.out, e.inputName(0), c.a, e.inputName(1), c.b)
			require.NoError(t, out.checkUnchanged("out", before, nil), "%s: after the panic", e.name)
		}
	}
}

// rowsArgs are the arguments of one AddBias or SumRows call.
type rowsArgs struct {
	name                 string
	m, n, ld             int
	lenVector, lenMatrix int
	message              string
}

// rowsBadArguments returns the bad-argument cases of AddBias (vector
// "bias", matrix "c") or SumRows (vector "dst", matrix "a"), from a valid
// 3×4 matrix with leading dimension 6.
func rowsBadArguments(k Kernels, vector, matrix string) []rowsArgs {
	valid := rowsArgs{m: 3, n: 4, ld: 6, lenVector: 4, lenMatrix: spanLen(3, 4, 6)}
	var cases []rowsArgs
	add := func(name, message string, change func(*rowsArgs)) {
		c := valid
		change(&c)
		c.name, c.message = name, message
		cases = append(cases, c)
	}
	add("m<0", k.message("m -1 < 0"), func(c *rowsArgs) { c.m = -1 })
	add("n<0", k.message("n -1 < 0"), func(c *rowsArgs) { c.n = -1 })
	add("ld", k.message("ld%s 3 < n 4", matrix), func(c *rowsArgs) { c.ld = 3 })
	add("len("+vector+")", k.message("len(%s) 3 < n 4", vector), func(c *rowsArgs) { c.lenVector = 3 })
	add("len("+matrix+")", k.message("len(%s) %d < %d", matrix, valid.lenMatrix-1, valid.lenMatrix),
		func(c *rowsArgs) { c.lenMatrix-- })
	add("nil "+matrix, k.message("len(%s) 0 < %d", matrix, valid.lenMatrix), func(c *rowsArgs) { c.lenMatrix = 0 })
	return cases
}

func testAddBiasBadArguments(t *testing.T, k Kernels) {
	for _, c := range rowsBadArguments(k, "bias", "c") {
		bias := make([]float32, c.lenVector)
		cBuf := newBuffer(c.lenMatrix, 1, outputGuard)
		for i := range cBuf.s {
			cBuf.s[i] = float32(i)
		}
		before := cBuf.snapshot()
		require.PanicsWithValuef(t, c.message, func() { k.AddBias(c.m, c.n, bias, cBuf.s, c.ld) },
			"AddBias %s m=%d n=%d ldc=%d len(bias) %d len(c) %d", c.name, c.m, c.n, c.ld, c.lenVector, c.lenMatrix)
		require.NoError(t, cBuf.checkUnchanged("c", before, nil), "AddBias %s: after the panic", c.name)
	}
}

func testSumRowsBadArguments(t *testing.T, k Kernels) {
	cases := rowsBadArguments(k, "dst", "a")
	// dst is checked even when m is 0, because SumRows then zeroes it.
	cases = append(cases, rowsArgs{name: "len(dst) m=0", m: 0, n: 4, ld: 4, lenVector: 3,
		message: k.message("len(dst) 3 < n 4")})
	for _, c := range cases {
		a := make([]float32, c.lenMatrix)
		dst := newBuffer(c.lenVector, 1, outputGuard)
		before := dst.snapshot()
		require.PanicsWithValuef(t, c.message, func() { k.SumRows(c.m, c.n, a, c.ld, dst.s) },
			"SumRows %s m=%d n=%d lda=%d len(dst) %d len(a) %d", c.name, c.m, c.n, c.ld, c.lenVector, c.lenMatrix)
		require.NoError(t, dst.checkUnchanged("dst", before, nil), "SumRows %s: after the panic", c.name)
	}
}
