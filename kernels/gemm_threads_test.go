package kernels_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threadShapes are products whose sizes are no multiple of any tile or
// block size: a single row, a single column, and k over several kc blocks.
var threadShapes = [][3]int{
	{333, 517, 259},
	{1, 1000, 700},
	{700, 1, 513},
	{129, 257, 1025},
	{97, 1100, 130},
}

// threadProduct is one Gemm call with its operands; c holds C with padding
// columns (ldc > n) and is reset from c0 before each run.
type threadProduct struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c0, c    []float32
	lda, ldb, ldc  int
}

func (p *threadProduct) String() string {
	return fmt.Sprintf("transA=%t transB=%t m=%d n=%d k=%d beta=%g", p.transA, p.transB, p.m, p.n, p.k, p.beta)
}

// newThreadProduct returns a product with random operands whose leading
// dimensions exceed the row lengths. When beta is 0, C starts as NaN, which
// must not survive.
func newThreadProduct(rng *rand.Rand, transA, transB bool, m, n, k int, beta float32) *threadProduct {
	p := &threadProduct{transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1.25, beta: beta}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	p.lda, p.ldb, p.ldc = colsA+3, colsB+5, n+7
	p.a = randomMatrix(rng, (rowsA-1)*p.lda+colsA)
	p.b = randomMatrix(rng, (rowsB-1)*p.ldb+colsB)
	p.c0 = randomMatrix(rng, (m-1)*p.ldc+n)
	if beta == 0 {
		for i := range p.c0 {
			p.c0[i] = float32(math.NaN())
		}
	}
	p.c = make([]float32, len(p.c0))
	return p
}

// run resets C and computes the product with kernels.Gemm.
func (p *threadProduct) run() []float32 {
	copy(p.c, p.c0)
	kernels.Gemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc)
	return p.c
}

// threadProducts returns every shape of threadShapes with each transpose
// and with beta 0 and 0.5.
func threadProducts() []*threadProduct {
	rng := rand.New(rand.NewPCG(21, 22))
	var products []*threadProduct
	for _, s := range threadShapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float32{0, 0.5} {
				products = append(products, newThreadProduct(rng, tr[0], tr[1], s[0], s[1], s[2], beta))
			}
		}
	}
	return products
}

// requireSameBits requires got and want to hold the same bits in every
// element, the padding columns of C included.
func requireSameBits(t *testing.T, want, got []float32, format string, args ...any) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			require.Failf(t, "results differ", "element %d: got %v (%#08x), want %v (%#08x); %s",
				i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]), fmt.Sprintf(format, args...))
		}
	}
}

// withThreads runs f with GOMAXPROCS at least procs, so that a cap of procs
// threads takes effect even on a machine with fewer cores, and restores
// both settings afterwards.
func withThreads(procs, threads int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(procs, runtime.GOMAXPROCS(0))))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(threads))
	f()
}

// references returns the result of each product on one thread.
func references(products []*threadProduct) [][]float32 {
	want := make([][]float32, len(products))
	withThreads(1, 1, func() {
		for i, p := range products {
			want[i] = slicesClone(p.run())
		}
	})
	return want
}

func slicesClone(x []float32) []float32 {
	return append([]float32(nil), x...)
}

func TestGemmSameBitsForAnyThreadCount(t *testing.T) {
	products := threadProducts()
	want := references(products)
	for _, threads := range []int{2, 3, 16} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			withThreads(threads, threads, func() {
				require.Equal(t, min(threads, maxThreadsOfImpl(threads)), kernels.MaxThreads())
				for i, p := range products {
					requireSameBits(t, want[i], p.run(), "%v", p)
				}
			})
		})
	}
}

// maxThreadsOfImpl returns what MaxThreads must report with a limit of
// threads: the generic implementation runs on one goroutine.
func maxThreadsOfImpl(threads int) int {
	if kernels.Impl() == "generic" {
		return 1
	}
	return threads
}

// TestGemmConcurrentCallersSameBits runs products from 8 goroutines at once,
// which then share the helper goroutines, and requires the bits of one
// thread. Run with -race, it also checks the hand-over of shares.
func TestGemmConcurrentCallersSameBits(t *testing.T) {
	const callers = 8
	rng := rand.New(rand.NewPCG(23, 24))
	products := make([][]*threadProduct, callers)
	for g := range products {
		for i := range 3 {
			s := threadShapes[(g+i)%len(threadShapes)]
			products[g] = append(products[g], newThreadProduct(rng, g%2 == 1, g%4 >= 2, s[0], s[1], s[2], float32(i%2)/2))
		}
	}
	want := make([][][]float32, callers)
	for g := range products {
		want[g] = references(products[g])
	}
	for _, threads := range []int{2, 3} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			withThreads(threads, threads, func() {
				got := make([][][]float32, callers)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for g := range callers {
					wg.Go(func() {
						<-start
						for round := range 2 {
							for _, p := range products[g] {
								if round == 1 {
									got[g] = append(got[g], slicesClone(p.run()))
								} else {
									p.run()
								}
							}
						}
					})
				}
				close(start)
				wg.Wait()
				for g := range callers {
					for i, p := range products[g] {
						requireSameBits(t, want[g][i], got[g][i], "caller %d: %v", g, p)
					}
				}
			})
		})
	}
}

func TestSetMaxThreads(t *testing.T) {
	original := kernels.SetMaxThreads(3)
	defer kernels.SetMaxThreads(original)
	assert.Equal(t, 3, kernels.SetMaxThreads(1), "previous cap")
	assert.Equal(t, 1, kernels.MaxThreads(), "MaxThreads with a cap of 1")
	assert.Equal(t, 1, kernels.SetMaxThreads(-4), "previous cap")
	assert.Equal(t, 0, kernels.SetMaxThreads(0), "a cap of -4 removes the cap")
	procs := runtime.GOMAXPROCS(0)
	assert.Equal(t, maxThreadsOfImpl(min(procs, runtime.NumCPU())), kernels.MaxThreads(), "MaxThreads without a cap")
	kernels.SetMaxThreads(procs + 5)
	assert.Equal(t, maxThreadsOfImpl(procs), kernels.MaxThreads(), "MaxThreads with a cap above GOMAXPROCS")

	// Without a cap, goroutines beyond the CPUs would only take turns.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU() + 3))
	kernels.SetMaxThreads(0)
	assert.Equal(t, maxThreadsOfImpl(runtime.NumCPU()), kernels.MaxThreads(), "MaxThreads without a cap, GOMAXPROCS above NumCPU")
	kernels.SetMaxThreads(runtime.NumCPU() + 2)
	assert.Equal(t, maxThreadsOfImpl(runtime.NumCPU()+2), kernels.MaxThreads(), "MaxThreads with a cap above NumCPU")
}

func TestParseThreads(t *testing.T) {
	for value, want := range map[string]int{"": 0, "1": 1, "2": 2, "7": 7, "64": 64} {
		assert.Equal(t, want, kernels.ParseThreads(value), "SIMDGRAD_THREADS=%q", value)
	}
	for _, value := range []string{"0", "-1", "two", "1.5", " 2", "2 ", "+"} {
		message := panicMessage(func() { kernels.ParseThreads(value) })
		require.NotEmpty(t, message, "SIMDGRAD_THREADS=%q did not panic", value)
		assert.Contains(t, message, fmt.Sprintf("kernels: SIMDGRAD_THREADS=%q is not valid", value))
		assert.Contains(t, message, "positive integer", "the message must list the valid values")
	}
}

// TestStartupRejectsInvalidThreads re-runs the test binary with an invalid
// SIMDGRAD_THREADS, which must panic while the package initialises.
func TestStartupRejectsInvalidThreads(t *testing.T) {
	if isChild() {
		t.Fatalf("start-up accepted SIMDGRAD_THREADS=%q", os.Getenv("SIMDGRAD_THREADS"))
	}
	output, err := runChild(t, "TestStartupRejectsInvalidThreads", "SIMDGRAD_THREADS=0")
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "child with SIMDGRAD_THREADS=0 exited with %v; output:\n%s", err, output)
	require.Contains(t, output, "panic: ", "the child must fail by panicking at start-up")
	require.Contains(t, output, `kernels: SIMDGRAD_THREADS="0" is not valid`)
}

// TestStartupThreads re-runs the test binary with SIMDGRAD_THREADS=1 and
// checks the cap that the child started with.
func TestStartupThreads(t *testing.T) {
	if isChild() {
		fmt.Printf("child: cap = %d\n", kernels.SetMaxThreads(0))
		return
	}
	output, err := runChild(t, "TestStartupThreads", "SIMDGRAD_THREADS=1")
	require.NoError(t, err, "output:\n%s", output)
	require.Contains(t, output, "child: cap = 1")
}
