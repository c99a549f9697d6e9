// Package bench compares simdgrad's kernels with gonum, OpenBLAS and each
// other. It is a module of its own so that importers of the library never
// download gonum or the MNIST data.
package bench

import (
	"fmt"
	"math/rand/v2"
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

// gemmShapes are the benchmarked products. Square powers of two go from
// below one 6×16 tile to several cache blocks, and odd sizes have partial
// tiles at the edges. Then come the three products of a 784-512 dense
// layer with a batch of 256 (the forward X·W, the weight gradient Xᵀ·dZ
// and the input gradient dZ·Wᵀ), and the same three with a batch of 1.
var gemmShapes = []gemmShape{
	{m: 16, n: 16, k: 16},
	{m: 32, n: 32, k: 32},
	{m: 64, n: 64, k: 64},
	{m: 128, n: 128, k: 128},
	{m: 256, n: 256, k: 256},
	{m: 512, n: 512, k: 512},
	{m: 1024, n: 1024, k: 1024},
	{m: 2048, n: 2048, k: 2048},
	{m: 17, n: 17, k: 17},
	{m: 100, n: 100, k: 100},
	{m: 255, n: 255, k: 255},
	{m: 333, n: 333, k: 333},
	{m: 256, n: 512, k: 784},
	{transA: true, m: 784, n: 512, k: 256},
	{transB: true, m: 256, n: 784, k: 512},
	{m: 1, n: 512, k: 784},
	{transA: true, m: 784, n: 512, k: 1},
	{transB: true, m: 1, n: 784, k: 512},
}

// maxNaiveVolume is the largest m·n·k that the naive triple loop is
// benchmarked at, 512³: at about 1 GFLOP/s or less it would take seconds
// per product beyond that.
const maxNaiveVolume = 512 * 512 * 512

// BenchmarkGemm runs C = op(A)·op(B) on every shape for the kernels path
// that this process chose (set SIMDGRAD_KERNELS to benchmark another one),
// generic, a naive triple loop (up to maxNaiveVolume), gonum and OpenBLAS
// through numpy. gonum's Sgemm splits work across GOMAXPROCS goroutines,
// so compare single-threaded figures with -cpu 1; OpenBLAS always runs on
// one thread.
func BenchmarkGemm(b *testing.B) {
	impls := []struct {
		name string
		gemm gemmFunc
	}{
		{kernels.Impl(), kernels.Gemm},
		{"generic", generic.Gemm},
		{"naive", naiveGemm},
		{"gonum", gonumSgemm},
	}
	if kernels.Impl() == "generic" {
		impls = impls[1:]
	}
	for _, shape := range gemmShapes {
		for _, impl := range impls {
			if impl.name == "naive" && shape.m*shape.n*shape.k > maxNaiveVolume {
				continue
			}
			b.Run(fmt.Sprintf("impl=%s/shape=%s", impl.name, shape), func(b *testing.B) {
				benchmarkGemm(b, impl.gemm, shape)
			})
		}
		b.Run(fmt.Sprintf("impl=openblas/shape=%s", shape), func(b *testing.B) {
			benchmarkOpenBLAS(b, shape)
		})
	}
}

// naiveGemm is the textbook triple loop, one dot product per element of C,
// as a baseline for what blocking, packing and SIMD buy.
func naiveGemm(transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var sum float32
			for p := range k {
				var x, y float32
				if transA {
					x = a[p*lda+i]
				} else {
					x = a[i*lda+p]
				}
				if transB {
					y = b[j*ldb+p]
				} else {
					y = b[p*ldb+j]
				}
				sum += x * y
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * sum
			} else {
				c[i*ldc+j] = alpha*sum + beta*c[i*ldc+j]
			}
		}
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

// python is the interpreter whose numpy and torch run the OpenBLAS and
// PyTorch comparisons. On Debian with libopenblas0-pthread installed, its
// numpy calls OpenBLAS through the libblas.so.3 alternative.
const python = "/usr/bin/python3"

// openblas times products in bench/openblas/sgemm.py --serve, whose
// requests are lines "SHAPE ITERATIONS"; the first OpenBLAS benchmark
// starts it and the rest share it.
var openblas = &peer{script: "openblas/sgemm.py"}

// benchmarkOpenBLAS has numpy time b.N products of shape s on one OpenBLAS
// thread and reports the time per product that numpy measured, so that
// process start-up and the pipe do not count. It skips the benchmark when
// /usr/bin/python3 or its numpy is missing.
func benchmarkOpenBLAS(b *testing.B, s gemmShape) {
	// The timer is stopped while the process starts, so that the seconds
	// of its start-up do not end the search for b.N at b.N = 1.
	b.StopTimer()
	proc := openblas.process(b)
	b.StartTimer()
	ns, err := proc.time(fmt.Sprintf("%s %d", s, b.N))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ns/float64(b.N), "ns/op")
	reportGFLOPs(b, s, ns/1e9/float64(b.N))
}

// TestNaiveGemm checks the naive baseline against generic.Gemm with each
// transpose and with beta 0 and 1, so that its figures time a correct
// product.
func TestNaiveGemm(t *testing.T) {
	const m, n, k = 7, 5, 9
	rng := rand.New(rand.NewPCG(3, 4))
	a := randomMatrix(rng, m*k)
	b := randomMatrix(rng, k*n)
	c := randomMatrix(rng, m*n)
	for _, s := range []gemmShape{
		{m: m, n: n, k: k},
		{transA: true, m: m, n: n, k: k},
		{transB: true, m: m, n: n, k: k},
		{transA: true, transB: true, m: m, n: n, k: k},
	} {
		lda, ldb := k, n
		if s.transA {
			lda = m
		}
		if s.transB {
			ldb = k
		}
		for _, beta := range []float32{0, 1} {
			want := append([]float32(nil), c...)
			got := append([]float32(nil), c...)
			generic.Gemm(s.transA, s.transB, m, n, k, 1.5, a, lda, b, ldb, beta, want, n)
			naiveGemm(s.transA, s.transB, m, n, k, 1.5, a, lda, b, ldb, beta, got, n)
			for i := range want {
				if diff := got[i] - want[i]; diff > 1e-5 || diff < -1e-5 {
					t.Fatalf("%s beta %v: c[%d] = %v, generic.Gemm gives %v", s, beta, i, got[i], want[i])
				}
			}
		}
	}
}
