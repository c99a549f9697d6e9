package conformance

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reference values in testdata/ come from PyTorch 1.13 and NumPy, written
// by testdata/make_fixtures.py, so that no code of this module checks itself.
// They are embedded because the tests that call Run execute in the directory
// of package generic or kernels, where a relative path to testdata/ does not
// resolve.
//
//go:embed testdata/*.json
var fixtureFS embed.FS

const (
	// fixtureForwardULPs is how far Sigmoid and Tanh may be from PyTorch's
	// value, in units in the last place. SIMD paths may approximate exp, and
	// PyTorch's AVX2 sigmoid itself was up to 2 ulp from the float64 result
	// on 100,000 random normal inputs.
	fixtureForwardULPs = 4
	// fixtureMaxReported is the number of mismatches that one check reports
	// before it only counts them.
	fixtureMaxReported = 8
	// fixtureUnitRoundoff is 2⁻²⁴, the relative rounding error of float32.
	fixtureUnitRoundoff = 0x1p-24
	// fixtureAbsoluteSlack is added to every rounding tolerance so that a
	// zero want with a subnormal error does not fail.
	fixtureAbsoluteSlack = 1e-30
)

// fixtureWindowLengths are the slice lengths that the elementwise kernels get
// in turn, so that every fixture value passes through the vector body and the
// scalar tail of a SIMD loop, at several offsets. math.MaxInt means the whole
// table in one call.
var fixtureWindowLengths = []int{1, 7, 13, 31, math.MaxInt}

// fixtureUnwritten fills outputs before a call. It is finite and outside the
// range of every fixture output, so an element that a kernel skips fails even
// where the expected value is NaN.
var fixtureUnwritten = float32(-1.2345e37)

// fixtureFloats is a list of float32 values stored in JSON as an array of
// strings, each holding bit patterns of 8 hex digits separated by spaces.
type fixtureFloats []float32

func (f *fixtureFloats) UnmarshalJSON(data []byte) error {
	var rows []string
	if err := json.Unmarshal(data, &rows); err != nil {
		return err
	}
	values := []float32{}
	for _, row := range rows {
		for _, word := range strings.Fields(row) {
			v, err := parseFixtureWord(word)
			if err != nil {
				return err
			}
			values = append(values, v)
		}
	}
	*f = values
	return nil
}

// fixtureFloat is one float32 stored as a JSON string of 8 hex digits.
type fixtureFloat float32

func (f *fixtureFloat) UnmarshalJSON(data []byte) error {
	var word string
	if err := json.Unmarshal(data, &word); err != nil {
		return err
	}
	v, err := parseFixtureWord(word)
	*f = fixtureFloat(v)
	return err
}

func parseFixtureWord(word string) (float32, error) {
	if len(word) != 8 {
		return 0, fmt.Errorf("invalid float32 bit pattern %q: want 8 hex digits", word)
	}
	bits, err := strconv.ParseUint(word, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid float32 bit pattern %q: %w", word, err)
	}
	return math.Float32frombits(uint32(bits)), nil
}

// activationFixture is the content of activations.json: one table of inputs
// x, PyTorch's forward outputs for them, and gradient sets that apply
// PyTorch's backward formulas to those outputs.
type activationFixture struct {
	Torch     string          `json:"torch"`
	Slopes    fixtureFloats   `json:"slopes"`
	X         fixtureFloats   `json:"x"`
	ReLU      fixtureFloats   `json:"relu"`
	LeakyReLU []fixtureFloats `json:"leaky_relu"` // one list per slope
	Sigmoid   fixtureFloats   `json:"sigmoid"`
	Tanh      fixtureFloats   `json:"tanh"`
	Grads     []gradientFixture
}

// gradientFixture is the gradients of every activation for one dy list.
type gradientFixture struct {
	Name      string          `json:"name"`
	DY        fixtureFloats   `json:"dy"`
	ReLU      fixtureFloats   `json:"relu"`
	LeakyReLU []fixtureFloats `json:"leaky_relu"`
	Sigmoid   fixtureFloats   `json:"sigmoid"`
	// PyTorch 1.13 rounds tanh_backward differently by CPU kernel: its AVX2
	// kernel computes dy·fma(−y, y, 1), its default kernel dy·(1 − y·y)
	// with two roundings.
	TanhFused   fixtureFloats `json:"tanh_fused"`
	TanhUnfused fixtureFloats `json:"tanh_unfused"`
}

// gemmFixture is the content of gemm.json.
type gemmFixture struct {
	Guard  fixtureFloat       `json:"guard"`
	Shapes []gemmFixtureShape `json:"shapes"`
}

// gemmFixtureShape is one m×n×k problem: op(A), op(B) and C, with A and B
// stored both plain and transposed, and the expected C for several alpha and
// beta. The padding between rows contains the guard value.
type gemmFixtureShape struct {
	Name    string              `json:"name"`
	M       int                 `json:"m"`
	N       int                 `json:"n"`
	K       int                 `json:"k"`
	LdaN    int                 `json:"lda_n"`
	AN      fixtureFloats       `json:"a_n"` // A as m×k, for transA false
	LdaT    int                 `json:"lda_t"`
	AT      fixtureFloats       `json:"a_t"` // A as k×m, for transA true
	LdbN    int                 `json:"ldb_n"`
	BN      fixtureFloats       `json:"b_n"` // B as k×n, for transB false
	LdbT    int                 `json:"ldb_t"`
	BT      fixtureFloats       `json:"b_t"` // B as n×k, for transB true
	Ldc     int                 `json:"ldc"`
	C       fixtureFloats       `json:"c"`
	Results []gemmFixtureResult `json:"results"`
}

// gemmFixtureResult is alpha·op(A)·op(B) + beta·C from float64, rounded to
// float32, laid out like the input C.
type gemmFixtureResult struct {
	Alpha fixtureFloat  `json:"alpha"`
	Beta  fixtureFloat  `json:"beta"`
	C     fixtureFloats `json:"c"`
}

// rowsFixture is the content of rows.json.
type rowsFixture struct {
	Guard fixtureFloat      `json:"guard"`
	Cases []rowsFixtureCase `json:"cases"`
}

// rowsFixtureCase is an m×n matrix A with leading dimension LD, a bias row,
// A with the bias added to every row, and the column sums of A.
type rowsFixtureCase struct {
	Name    string        `json:"name"`
	M       int           `json:"m"`
	N       int           `json:"n"`
	LD      int           `json:"ld"`
	A       fixtureFloats `json:"a"`
	Bias    fixtureFloats `json:"bias"`
	AddBias fixtureFloats `json:"add_bias"`
	SumRows fixtureFloats `json:"sum_rows"`
}

func loadFixture(t *testing.T, name string, v any) {
	t.Helper()
	data, err := fixtureFS.ReadFile("testdata/" + name)
	require.NoError(t, err, "read fixture %s", name)
	require.NoError(t, json.Unmarshal(data, v), "decode fixture %s", name)
}

// testFixtures checks k against the values that PyTorch and NumPy computed.
func testFixtures(t *testing.T, k Kernels) {
	t.Run("activations", func(t *testing.T) {
		var fixture activationFixture
		loadFixture(t, "activations.json", &fixture)
		checkActivationFixture(t, fixture)
		testForwardFixtures(t, k, fixture)
		testGradientFixtures(t, k, fixture)
	})
	t.Run("gemm", func(t *testing.T) {
		var fixture gemmFixture
		loadFixture(t, "gemm.json", &fixture)
		require.NotEmpty(t, fixture.Shapes, "gemm.json has no shapes")
		for _, shape := range fixture.Shapes {
			t.Run(shape.Name, func(t *testing.T) { testGemmFixture(t, k, shape, float32(fixture.Guard)) })
		}
	})
	t.Run("rows", func(t *testing.T) {
		var fixture rowsFixture
		loadFixture(t, "rows.json", &fixture)
		require.NotEmpty(t, fixture.Cases, "rows.json has no cases")
		for _, c := range fixture.Cases {
			t.Run(c.Name, func(t *testing.T) {
				testAddBiasFixture(t, k, c, float32(fixture.Guard))
				testSumRowsFixture(t, k, c, float32(fixture.Guard))
			})
		}
	})
}

// checkActivationFixture fails the test at once if the lists of the table do
// not all have the length of x, so that the checks below can index freely.
func checkActivationFixture(t *testing.T, f activationFixture) {
	n := len(f.X)
	require.NotZero(t, n, "activations.json has no x")
	require.Len(t, f.ReLU, n, "relu")
	require.Len(t, f.Sigmoid, n, "sigmoid")
	require.Len(t, f.Tanh, n, "tanh")
	require.Len(t, f.LeakyReLU, len(f.Slopes), "leaky_relu lists")
	for s := range f.Slopes {
		require.Len(t, f.LeakyReLU[s], n, "leaky_relu slope %d", s)
	}
	require.NotEmpty(t, f.Grads, "grads")
	for _, g := range f.Grads {
		require.Len(t, g.DY, n, "grads %s: dy", g.Name)
		require.Len(t, g.ReLU, n, "grads %s: relu", g.Name)
		require.Len(t, g.Sigmoid, n, "grads %s: sigmoid", g.Name)
		require.Len(t, g.TanhFused, n, "grads %s: tanh_fused", g.Name)
		require.Len(t, g.TanhUnfused, n, "grads %s: tanh_unfused", g.Name)
		require.Len(t, g.LeakyReLU, len(f.Slopes), "grads %s: leaky_relu lists", g.Name)
		for s := range f.Slopes {
			require.Len(t, g.LeakyReLU[s], n, "grads %s: leaky_relu slope %d", g.Name, s)
		}
	}
}

// applyInWindows calls kernel(lo, hi) on consecutive windows of length
// window that cover [0, n). It goes from the last window to the first, so a
// kernel that stores past hi overwrites results already computed, and the
// comparison that follows detects it.
func applyInWindows(n, window int, kernel func(lo, hi int)) {
	if n == 0 {
		return
	}
	window = min(window, n)
	for lo := (n - 1) / window * window; lo >= 0; lo -= window {
		kernel(lo, min(lo+window, n))
	}
}

// fixtureWindowName names a window length in failure messages.
func fixtureWindowName(window int) string {
	if window == math.MaxInt {
		return "whole"
	}
	return strconv.Itoa(window)
}

// fixtureReporter collects the mismatches of one check and reports the first
// fixtureMaxReported of them, then how many there were.
type fixtureReporter struct {
	t     *testing.T
	label string
	count int
}

func (r *fixtureReporter) mismatch(format string, args ...any) {
	r.t.Helper()
	r.count++
	if r.count <= fixtureMaxReported {
		assert.Fail(r.t, r.label+": "+fmt.Sprintf(format, args...))
	}
}

func (r *fixtureReporter) finish() {
	r.t.Helper()
	if r.count > fixtureMaxReported {
		assert.Fail(r.t, fmt.Sprintf("%s: %d mismatches in all, %d shown",
			r.label, r.count, fixtureMaxReported))
	}
}

// fixtureFormat formats a float32 with its bit pattern, which distinguishes
// -0 from +0 and one NaN from another.
func fixtureFormat(v float32) string {
	return fmt.Sprintf("%g (%08x)", v, math.Float32bits(v))
}

// fixtureMatch reports whether got is want bit for bit, except that any NaN
// matches any NaN: PyTorch's NaN payloads and signs differ between its own
// kernels.
func fixtureMatch(got, want float32) bool {
	if got != got || want != want {
		return got != got && want != want
	}
	return math.Float32bits(got) == math.Float32bits(want)
}

// fixtureULPs returns the number of float32 values between a and b, counting
// -0 and +0 as one value. Both must be finite or infinite, not NaN.
func fixtureULPs(a, b float32) int64 {
	ordered := func(v float32) int64 {
		bits := math.Float32bits(v)
		if bits&0x80000000 != 0 {
			return -int64(bits & 0x7fffffff)
		}
		return int64(bits)
	}
	d := ordered(a) - ordered(b)
	if d < 0 {
		return -d
	}
	return d
}

func isFixtureSpecial(v float32) bool {
	return v == 0 || v != v || math.IsInf(float64(v), 0)
}

// testForwardFixtures checks the forward activations against PyTorch's
// outputs. ReLU and LeakyReLU select or multiply once, so they must match
// bit for bit, signed zeros included. Sigmoid and Tanh may be approximated
// away from the special values.
func testForwardFixtures(t *testing.T, k Kernels, f activationFixture) {
	x := f.X
	exact := func(name string, want []float32, kernel func(y, x []float32)) {
		t.Run(name, func(t *testing.T) {
			for _, window := range fixtureWindowLengths {
				got := runUnaryWindows(kernel, x, window)
				r := fixtureReporter{t: t, label: name + ", window " + fixtureWindowName(window)}
				for i := range x {
					if !fixtureMatch(got[i], want[i]) {
						r.mismatch("x[%d] = %s: got %s, want %s",
							i, fixtureFormat(x[i]), fixtureFormat(got[i]), fixtureFormat(want[i]))
					}
				}
				r.finish()
			}
		})
	}
	exact("relu", f.ReLU, k.ReLU)
	for s, slope := range f.Slopes {
		exact(fmt.Sprintf("leaky_relu slope %g", slope), f.LeakyReLU[s], func(y, x []float32) {
			k.LeakyReLU(y, x, slope)
		})
	}
	approximate := func(name string, want []float32, kernel func(y, x []float32)) {
		t.Run(name, func(t *testing.T) {
			for _, window := range fixtureWindowLengths {
				got := runUnaryWindows(kernel, x, window)
				r := fixtureReporter{t: t, label: name + ", window " + fixtureWindowName(window)}
				for i := range x {
					if msg := checkApproximateForward(x[i], got[i], want[i]); msg != "" {
						r.mismatch("x[%d] = %s: got %s, want %s: %s",
							i, fixtureFormat(x[i]), fixtureFormat(got[i]), fixtureFormat(want[i]), msg)
					}
				}
				r.finish()
			}
		})
	}
	approximate("sigmoid", f.Sigmoid, k.Sigmoid)
	approximate("tanh", f.Tanh, k.Tanh)
}

// checkApproximateForward returns why got is not an acceptable Sigmoid or
// Tanh of x, or "" when it is.
func checkApproximateForward(x, got, want float32) string {
	// At ±0, ±Inf and NaN PyTorch returns exact values (sigmoid 0.5, 1, 0;
	// tanh ±0 with the sign of x, ±1), and every path must return the same.
	if isFixtureSpecial(x) {
		if !fixtureMatch(got, want) {
			return "special input must give PyTorch's exact value"
		}
		return ""
	}
	if got != got {
		return "NaN for a finite input"
	}
	if fixtureULPs(got, want) <= fixtureForwardULPs {
		return ""
	}
	// Below the smallest normal float32 only the absolute error counts.
	// PyTorch's float32 e^-x overflows for x below about -88.72, so its
	// sigmoid returns 0 there while the exact value is still subnormal.
	if math.Abs(float64(got)-float64(want)) <= 0x1p-126 {
		return ""
	}
	return fmt.Sprintf("more than %d ulp away", fixtureForwardULPs)
}

// runUnaryWindows applies kernel to x in windows of the given length and
// returns the output.
func runUnaryWindows(kernel func(y, x []float32), x []float32, window int) []float32 {
	y := make([]float32, len(x))
	for i := range y {
		y[i] = fixtureUnwritten
	}
	applyInWindows(len(x), window, func(lo, hi int) {
		kernel(y[lo:hi:hi], x[lo:hi:hi])
	})
	return y
}

// runBinaryWindows applies kernel to dy and y in windows of the given length
// and returns the output.
func runBinaryWindows(kernel func(dx, dy, y []float32), dy, y []float32, window int) []float32 {
	dx := make([]float32, len(dy))
	for i := range dx {
		dx[i] = fixtureUnwritten
	}
	applyInWindows(len(dy), window, func(lo, hi int) {
		kernel(dx[lo:hi:hi], dy[lo:hi:hi], y[lo:hi:hi])
	})
	return dx
}

// testGradientFixtures checks the gradient kernels against PyTorch's backward
// formulas. Each kernel gets PyTorch's forward output as y, not its own, and
// must match bit for bit, because each formula is a select or a fixed
// sequence of correctly rounded operations. The bitwise comparison also
// checks the signed zeros, for example -0 from SigmoidGrad where y is 0 or
// 1 and dy is negative.
func testGradientFixtures(t *testing.T, k Kernels, f activationFixture) {
	for _, g := range f.Grads {
		t.Run("dy "+g.Name, func(t *testing.T) {
			check := func(name string, kernel func(dx, dy, y []float32), y []float32, want ...[]float32) {
				t.Run(name, func(t *testing.T) {
					for _, window := range fixtureWindowLengths {
						got := runBinaryWindows(kernel, g.DY, y, window)
						label := fmt.Sprintf("%s, dy %s, window %s", name, g.Name, fixtureWindowName(window))
						r := fixtureReporter{t: t, label: label}
						for i := range got {
							if !matchesAnyFixture(got[i], want, i) {
								r.mismatch("x[%d] = %s, y = %s, dy = %s: got %s, want %s",
									i, fixtureFormat(f.X[i]), fixtureFormat(y[i]), fixtureFormat(g.DY[i]),
									fixtureFormat(got[i]), formatFixtureAlternatives(want, i))
							}
						}
						r.finish()
					}
				})
			}
			check("relu_grad", k.ReLUGrad, f.ReLU, g.ReLU)
			for s, slope := range f.Slopes {
				check(fmt.Sprintf("leaky_relu_grad slope %g", slope), func(dx, dy, y []float32) {
					k.LeakyReLUGrad(dx, dy, y, slope)
				}, f.LeakyReLU[s], g.LeakyReLU[s])
			}
			// dy·(1−y)·y is evaluated left to right, as PyTorch does.
			check("sigmoid_grad", k.SigmoidGrad, f.Sigmoid, g.Sigmoid)
			// Either rounding of 1 − y² is PyTorch's: a path with FMA matches
			// the fused values, one without matches the unfused ones. The Go
			// compiler itself fuses x*y+z on some targets, arm64 among them.
			check("tanh_grad", k.TanhGrad, f.Tanh, g.TanhFused, g.TanhUnfused)
		})
	}
}

func matchesAnyFixture(got float32, want [][]float32, i int) bool {
	for _, w := range want {
		if fixtureMatch(got, w[i]) {
			return true
		}
	}
	return false
}

func formatFixtureAlternatives(want [][]float32, i int) string {
	parts := make([]string, len(want))
	for j, w := range want {
		parts[j] = fixtureFormat(w[i])
	}
	return strings.Join(parts, " or ")
}

// testGemmFixture runs one shape with every alpha and beta of the fixture
// and every combination of transposes, since the expected C does not depend
// on how A and B are stored.
func testGemmFixture(t *testing.T, k Kernels, shape gemmFixtureShape, guard float32) {
	m, n, depth := shape.M, shape.N, shape.K
	require.Len(t, shape.AN, fixtureMatrixLen(m, depth, shape.LdaN), "a_n")
	require.Len(t, shape.AT, fixtureMatrixLen(depth, m, shape.LdaT), "a_t")
	require.Len(t, shape.BN, fixtureMatrixLen(depth, n, shape.LdbN), "b_n")
	require.Len(t, shape.BT, fixtureMatrixLen(n, depth, shape.LdbT), "b_t")
	require.Len(t, shape.C, fixtureMatrixLen(m, n, shape.Ldc), "c")
	require.NotEmpty(t, shape.Results, "results")

	for _, result := range shape.Results {
		require.Len(t, result.C, len(shape.C), "result c")
		alpha, beta := float32(result.Alpha), float32(result.Beta)
		bound := gemmErrorBound(shape, alpha, beta)
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				a, lda := shape.AN, shape.LdaN
				if transA {
					a, lda = shape.AT, shape.LdaT
				}
				b, ldb := shape.BN, shape.LdbN
				if transB {
					b, ldb = shape.BT, shape.LdbT
				}
				label := fmt.Sprintf("gemm %s transA=%t transB=%t alpha=%g beta=%g",
					shape.Name, transA, transB, alpha, beta)

				gotA, gotB, gotC := slices.Clone(a), slices.Clone(b), slices.Clone(shape.C)
				if beta == 0 {
					// With beta 0 Gemm must not read C, so NaN in C must not
					// reach the result.
					for i := range m {
						for j := range n {
							gotC[i*shape.Ldc+j] = float32(math.NaN())
						}
					}
				}
				k.Gemm(transA, transB, m, n, depth, alpha, gotA, lda, gotB, ldb, beta, gotC, shape.Ldc)

				assert.True(t, slices.EqualFunc(gotA, a, fixtureMatch), "%s: A changed", label)
				assert.True(t, slices.EqualFunc(gotB, b, fixtureMatch), "%s: B changed", label)
				r := fixtureReporter{t: t, label: label}
				for idx, got := range gotC {
					i, j := idx/shape.Ldc, idx%shape.Ldc
					want := result.C[idx]
					if j >= n {
						if math.Float32bits(got) != math.Float32bits(guard) {
							r.mismatch("c[%d][%d] is padding past n %d: got %s, want the guard %s",
								i, j, n, fixtureFormat(got), fixtureFormat(guard))
						}
						continue
					}
					tolerance := bound[i*n+j]
					if got != got || math.Abs(float64(got)-float64(want)) > tolerance {
						r.mismatch("c[%d][%d]: got %s, want %s ± %.3g",
							i, j, fixtureFormat(got), fixtureFormat(want), tolerance)
					}
				}
				r.finish()
			}
		}
	}
}

// gemmErrorBound returns, for each element of the m×n result, how far a
// float32 Gemm may be from the float64 reference:
// 4·(k+1)·2⁻²⁴·(|alpha|·Σₚ|a_ip·b_pj| + |beta|·|c_ij|). A float32 dot product
// of length k is within about k·2⁻²⁴·Σₚ|a_ip·b_pj| of the exact one, in any
// order of summation and with or without FMA. The rest of the factor covers
// the scaling by alpha and beta and the rounding of the reference itself.
func gemmErrorBound(shape gemmFixtureShape, alpha, beta float32) []float64 {
	m, n, depth := shape.M, shape.N, shape.K
	bound := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var magnitude float64
			for p := range depth {
				a := float64(shape.AN[i*shape.LdaN+p])
				b := float64(shape.BN[p*shape.LdbN+j])
				magnitude += math.Abs(a * b)
			}
			magnitude *= math.Abs(float64(alpha))
			if beta != 0 {
				magnitude += math.Abs(float64(beta)) * math.Abs(float64(shape.C[i*shape.Ldc+j]))
			}
			bound[i*n+j] = 4*float64(depth+1)*fixtureUnitRoundoff*magnitude + fixtureAbsoluteSlack
		}
	}
	return bound
}

// fixtureMatrixLen returns the length of the shortest slice that contains a
// rows×cols matrix with leading dimension ld, the length the fixtures use.
func fixtureMatrixLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// testAddBiasFixture checks AddBias bit for bit, signed zeros and ±Inf
// included: each element is one float32 addition, which IEEE 754 rounds to a
// single correct result.
func testAddBiasFixture(t *testing.T, k Kernels, c rowsFixtureCase, guard float32) {
	require.Len(t, c.A, fixtureMatrixLen(c.M, c.N, c.LD), "a")
	require.Len(t, c.AddBias, len(c.A), "add_bias")
	require.Len(t, c.Bias, c.N, "bias")

	got := slices.Clone(c.A)
	bias := slices.Clone(c.Bias)
	k.AddBias(c.M, c.N, bias, got, c.LD)

	label := "add_bias " + c.Name
	assert.True(t, slices.EqualFunc(bias, c.Bias, fixtureMatch), "%s: bias changed", label)
	r := fixtureReporter{t: t, label: label}
	for idx := range got {
		i, j := idx/c.LD, idx%c.LD
		if j >= c.N {
			if math.Float32bits(got[idx]) != math.Float32bits(guard) {
				r.mismatch("c[%d][%d] is padding past n %d: got %s, want the guard %s",
					i, j, c.N, fixtureFormat(got[idx]), fixtureFormat(guard))
			}
			continue
		}
		if !fixtureMatch(got[idx], c.AddBias[idx]) {
			r.mismatch("c[%d][%d] = %s + bias[%d] = %s: got %s, want %s",
				i, j, fixtureFormat(c.A[idx]), j, fixtureFormat(c.Bias[j]),
				fixtureFormat(got[idx]), fixtureFormat(c.AddBias[idx]))
		}
	}
	r.finish()
}

// testSumRowsFixture checks SumRows against column sums computed in float64.
// A float32 sum of m values is within about m·2⁻²⁴·Σ|a_ij| of the exact sum
// in any order, so finite results get that tolerance. Non-finite results
// must match exactly: Inf of the right sign, or NaN. The sign of a zero sum
// is not checked, since it depends on the order of summation.
func testSumRowsFixture(t *testing.T, k Kernels, c rowsFixtureCase, guard float32) {
	require.Len(t, c.SumRows, c.N, "sum_rows")

	const tailLen = 3 // guard elements past dst[n], which SumRows must not write
	dst := make([]float32, c.N+tailLen)
	for j := range dst {
		dst[j] = guard
	}
	a := slices.Clone(c.A)
	k.SumRows(c.M, c.N, a, c.LD, dst[:c.N])

	label := "sum_rows " + c.Name
	assert.True(t, slices.EqualFunc(a, c.A, fixtureMatch), "%s: a changed", label)
	r := fixtureReporter{t: t, label: label}
	for j, want := range c.SumRows {
		got := dst[j]
		var magnitude float64
		for i := range c.M {
			magnitude += math.Abs(float64(c.A[i*c.LD+j]))
		}
		tolerance := float64(c.M+1)*fixtureUnitRoundoff*magnitude + fixtureAbsoluteSlack
		finite := !math.IsInf(float64(want), 0) && want == want
		switch {
		case !finite && !fixtureMatch(got, want):
			r.mismatch("dst[%d]: got %s, want %s", j, fixtureFormat(got), fixtureFormat(want))
		case finite && (got != got || math.Abs(float64(got)-float64(want)) > tolerance):
			r.mismatch("dst[%d]: got %s, want %s ± %.3g",
				j, fixtureFormat(got), fixtureFormat(want), tolerance)
		}
	}
	for j := c.N; j < len(dst); j++ {
		if math.Float32bits(dst[j]) != math.Float32bits(guard) {
			r.mismatch("dst[%d] is past n %d: got %s, want the guard %s",
				j, c.N, fixtureFormat(dst[j]), fixtureFormat(guard))
		}
	}
	r.finish()
}
