// Package bench compares simdgrad's kernels with gonum, OpenBLAS and each
// other. It is a module of its own so that importers of the library never
// download gonum or the MNIST data.
package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/kernels"
)

type gemmFunc func(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int)

func gonumSgemm(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmShape is one benchmarked product C = op(A)·op(B) with op(A) m×k and
// op(B) k×n, all matrices packed (leading dimension = row length).
type gemmShape struct {
	transA, transB bool
	m, n, k        int
}

// String returns the shape's name in benchmark names, "MxNxK" with a
// "-transA" or "-transB" suffix; bench/openblas/sgemm.py parses the same
// names.
func (s gemmShape) String() string {
	name := fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k)
	if s.transA {
		name += "-transA"
	}
	if s.transB {
		name += "-transB"
	}
	return name
}

// gemmShapes are square sizes from below one 6×16 tile to several cache
// blocks, and the three products of a 784-512 dense layer with a batch of
// 256: the forward X·W, the weight gradient Xᵀ·dZ and the input gradient
// dZ·Wᵀ.
var gemmShapes = []gemmShape{
	{m: 16, n: 16, k: 16},
	{m: 17, n: 17, k: 17},
	{m: 32, n: 32, k: 32},
	{m: 64, n: 64, k: 64},
	{m: 100, n: 100, k: 100},
	{m: 255, n: 255, k: 255},
	{m: 256, n: 256, k: 256},
	{m: 333, n: 333, k: 333},
	{m: 512, n: 512, k: 512},
	{m: 1024, n: 1024, k: 1024},
	{m: 256, n: 512, k: 784},
	{transA: true, m: 784, n: 512, k: 256},
	{transB: true, m: 256, n: 784, k: 512},
}

// BenchmarkGemm runs C = op(A)·op(B) on every shape for the kernels path
// that this process chose (set SIMDGRAD_KERNELS to benchmark another one),
// generic, gonum and OpenBLAS through numpy. gonum's Sgemm splits work
// across GOMAXPROCS goroutines, so compare single-threaded figures with
// -cpu 1; OpenBLAS always runs on one thread.
func BenchmarkGemm(b *testing.B) {
	impls := []struct {
		name string
		gemm gemmFunc
	}{
		{kernels.Impl(), kernels.Gemm},
		{"generic", generic.Gemm},
		{"gonum", gonumSgemm},
	}
	if kernels.Impl() == "generic" {
		impls = impls[1:]
	}
	for _, shape := range gemmShapes {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("impl=%s/shape=%s", impl.name, shape), func(b *testing.B) {
				benchmarkGemm(b, impl.gemm, shape)
			})
		}
		b.Run(fmt.Sprintf("impl=openblas/shape=%s", shape), func(b *testing.B) {
			benchmarkOpenBLAS(b, shape)
		})
	}
}

func benchmarkGemm(b *testing.B, gemm gemmFunc, s gemmShape) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randomMatrix(rng, s.m*s.k)
	y := randomMatrix(rng, s.k*s.n)
	z := make([]float32, s.m*s.n)
	lda, ldb := s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	// A first call outside the timed loop fills the packing-buffer pool.
	gemm(s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
	b.ReportAllocs()
	for b.Loop() {
		gemm(s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
	}
	reportGFLOPs(b, s, b.Elapsed().Seconds()/float64(b.N))
}

// reportGFLOPs reports the rate of 2·m·n·k floating-point operations per
// product, given the seconds one product took.
func reportGFLOPs(b *testing.B, s gemmShape, seconds float64) {
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)/seconds/1e9, "GFLOP/s")
}

func randomMatrix(rng *rand.Rand, size int) []float32 {
	x := make([]float32, size)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}

// python is the interpreter whose numpy runs the OpenBLAS comparison. On
// Debian with libopenblas0-pthread installed, its numpy calls OpenBLAS
// through the libblas.so.3 alternative.
const python = "/usr/bin/python3"

// openblas is the sgemm.py process that times OpenBLAS; the first OpenBLAS
// benchmark starts it and the rest share it.
var openblas struct {
	once sync.Once
	proc *openblasProcess
	err  error // why OpenBLAS cannot be benchmarked
}

// openblasProcess is a running bench/openblas/sgemm.py --serve. Each
// request is a line "SHAPE ITERATIONS" and each reply a line of
// nanoseconds.
type openblasProcess struct {
	mu     sync.Mutex
	stdin  io.Writer
	stdout *bufio.Reader
}

// benchmarkOpenBLAS has numpy time b.N products of shape s on one OpenBLAS
// thread and reports the time per product that numpy measured, so that
// process start-up and the pipe do not count. It skips the benchmark when
// /usr/bin/python3 or its numpy is missing.
func benchmarkOpenBLAS(b *testing.B, s gemmShape) {
	openblas.once.Do(func() {
		openblas.proc, openblas.err = startOpenBLAS(b)
	})
	if openblas.err != nil {
		b.Skipf("OpenBLAS is not benchmarked: %v", openblas.err)
	}
	ns, err := openblas.proc.time(s.String(), b.N)
	if err != nil {
		b.Fatalf("sgemm.py: %v", err)
	}
	b.ReportMetric(ns/float64(b.N), "ns/op")
	reportGFLOPs(b, s, ns/1e9/float64(b.N))
}

// startOpenBLAS starts sgemm.py --serve on one OpenBLAS thread and logs its
// first line, which names the OpenBLAS core type. It removes
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the environment of the
// process: some machines set them to steer old OpenBLAS builds off kernels
// that fail there, and they would time a slower kernel than the one that
// OpenBLAS picks for the CPU. The process exits when the benchmark binary
// does, because its input closes.
func startOpenBLAS(b *testing.B) (*openblasProcess, error) {
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("%s not found", python)
	}

	cmd := exec.Command(python, "openblas/sgemm.py", "--serve")
	for _, v := range os.Environ() {
		name, _, _ := strings.Cut(v, "=")
		switch name {
		case "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS":
		default:
			cmd.Env = append(cmd.Env, v)
		}
	}
	cmd.Env = append(cmd.Env, "OPENBLAS_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", python, err)
	}

	p := &openblasProcess{stdin: stdin, stdout: bufio.NewReader(stdout)}
	about, err := p.stdout.ReadString('\n')
	if err != nil {
		_ = cmd.Wait()
		return nil, fmt.Errorf("sgemm.py exited at start (%v): %s", cmd.ProcessState,
			strings.TrimSpace(stderr.String()))
	}
	b.Logf("OpenBLAS through %s: %s", python, strings.TrimSpace(about))
	return p, nil
}

// time returns the nanoseconds that iterations products of shape took.
func (p *openblasProcess) time(shape string, iterations int) (float64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := fmt.Fprintf(p.stdin, "%s %d\n", shape, iterations); err != nil {
		return 0, err
	}
	line, err := p.stdout.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("no reply for %s: %w", shape, err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
	if err != nil {
		return 0, fmt.Errorf("invalid reply for %s: %s", shape, strings.TrimSpace(line))
	}
	return ns, nil
}
