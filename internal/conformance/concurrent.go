package conformance

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// goroutines is the number of goroutines that call the kernels at once.
const goroutines = 16

// testConcurrent calls every kernel from 16 goroutines at once, each on its
// own data and shapes, and checks every result. Run with -race, it also
// finds shared state that the kernels write.
func testConcurrent(t *testing.T, k Kernels) {
	kernels := elementwiseKernels()
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			<-start
			errs[g] = concurrentCalls(k, kernels, g)
		})
	}
	close(start)
	wg.Wait()
	for g, err := range errs {
		require.NoError(t, err, "goroutine %d of %d", g, goroutines)
	}
}

// concurrentCalls runs goroutine g's share of testConcurrent and returns
// the first failure.
func concurrentCalls(k Kernels, kernels []*elementwise, g int) error {
	r := newRand(uint64(1200 + g))
	for iteration := range 3 {
		for _, e := range kernels {
			a, b := e.sample(r, 500+37*g)
			c := elementwiseCall{outOffset: g % alignLen, aOffset: (3 * g) % alignLen,
				bOffset: (5 * g) % alignLen, inPlace: iteration == 1, slope: slopes[g%len(slopes)]}
			if _, err := e.run(k, c, a, b); err != nil {
				return err
			}
		}
		tr := transposes[g%4]
		gc := GemmCase{TransA: tr[0], TransB: tr[1], M: 9 + g, N: 17 + 2*g, K: 13 + 3*g,
			Alpha: 1.5, Beta: gemmBetas[(g+iteration)%3], Seed: uint64(1300 + 16*iteration + g)}
		if _, err := varyLayout(gc, g).Check(k.Gemm); err != nil {
			return err
		}
		rc := rowsCase{m: 5 + g, n: 30 + 3*g, slack: g % 6, matrixOffset: g % alignLen,
			vectorOffset: (g + 5) % alignLen, extra: g % 3, specials: g%2 == 0}
		if err := checkAddBias(k, rc, r); err != nil {
			return err
		}
		if err := checkSumRows(k, rc, r); err != nil {
			return err
		}
	}
	return nil
}

// testAllocs checks that no kernel allocates once warm: testing.AllocsPerRun
// calls each once before counting. The Gemm shapes include one larger than
// the cache blocks of a blocked implementation, whose packing buffers must
// be reused.
func testAllocs(t *testing.T, k Kernels) {
	const n = 1000
	r := newRand(1400)
	x, dy, y, out := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], dy[i], y[i] = mixedValue(r), mixedValue(r), float32(r.Float64())
	}
	type call struct {
		name string
		f    func()
	}
	calls := []call{
		{"ReLU", func() { k.ReLU(out, x) }},
		{"LeakyReLU", func() { k.LeakyReLU(out, x, 0.01) }},
		{"Sigmoid", func() { k.Sigmoid(out, x) }},
		{"Tanh", func() { k.Tanh(out, x) }},
		{"ReLUGrad", func() { k.ReLUGrad(out, dy, y) }},
		{"LeakyReLUGrad", func() { k.LeakyReLUGrad(out, dy, y, 0.01) }},
		{"SigmoidGrad", func() { k.SigmoidGrad(out, dy, y) }},
		{"TanhGrad", func() { k.TanhGrad(out, dy, y) }},
		{"AddBias", func() { k.AddBias(20, 50, x, out, 50) }},
		{"SumRows", func() { k.SumRows(20, 50, x, 50, out) }},
	}
	for _, shape := range [][3]int{{64, 64, 64}, {65, 130, 260}} {
		m, nn, kk := shape[0], shape[1], shape[2]
		a, b, c := make([]float32, m*kk), make([]float32, kk*nn), make([]float32, m*nn)
		for _, tr := range transposes {
			for _, beta := range []float32{0, 1} {
				lda, ldb := kk, nn
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = kk
				}
				name := fmt.Sprintf("Gemm transA=%t transB=%t m=%d n=%d k=%d beta=%g", tr[0], tr[1], m, nn, kk, beta)
				calls = append(calls, call{name, func() { k.Gemm(tr[0], tr[1], m, nn, kk, 1, a, lda, b, ldb, beta, c, nn) }})
			}
		}
	}
	for _, c := range calls {
		require.Zerof(t, testing.AllocsPerRun(10, c.f), "%s allocates", c.name)
	}
}
