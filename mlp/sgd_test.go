package mlp_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneWeight returns a 1×1 Linear layer with W = B = 1 and the given
// gradients.
func oneWeight(gradW, gradB float32) *mlp.Dense {
	d := mlp.NewDense(1, 1, mlp.Linear, rand.New(rand.NewPCG(1, 1)))
	d.W[0], d.B[0] = 1, 1
	d.GradW[0], d.GradB[0] = gradW, gradB
	return d
}

func TestSGDMomentum(t *testing.T) {
	d := oneWeight(0.5, -1)
	opt := &mlp.SGD{LR: 0.1, Momentum: 0.9}

	// The velocity starts at zero, so the first step is −LR·g.
	opt.Step([]*mlp.Dense{d})
	assert.InDelta(t, 1-0.1*0.5, d.W[0], 1e-7, "W after step 1")
	assert.InDelta(t, 1+0.1, d.B[0], 1e-7, "B after step 1")

	// v = 0.9·0.5 + 0.5 = 0.95 and v = 0.9·(−1) − 1 = −1.9.
	opt.Step([]*mlp.Dense{d})
	assert.InDelta(t, 0.95-0.1*0.95, d.W[0], 1e-7, "W after step 2")
	assert.InDelta(t, 1.1+0.1*1.9, d.B[0], 1e-7, "B after step 2")
}

func TestSGDWithoutMomentum(t *testing.T) {
	d := oneWeight(0.5, -1)
	opt := &mlp.SGD{LR: 0.1}
	opt.Step([]*mlp.Dense{d})
	opt.Step([]*mlp.Dense{d})
	assert.InDelta(t, 1-2*0.1*0.5, d.W[0], 1e-7)
	assert.InDelta(t, 1+2*0.1, d.B[0], 1e-7)
}

// TestSGDVelocityPerLayer checks that each layer keeps its own velocity,
// whatever the order or subset of layers passed to Step.
func TestSGDVelocityPerLayer(t *testing.T) {
	a, b := oneWeight(1, 0), oneWeight(-2, 0)
	opt := &mlp.SGD{LR: 0.1, Momentum: 0.5}
	opt.Step([]*mlp.Dense{a, b})
	opt.Step([]*mlp.Dense{b})
	opt.Step([]*mlp.Dense{b, a})

	// a: v = 1 then 0.5·1 + 1 = 1.5, so W = 1 − 0.1 − 0.15.
	assert.InDelta(t, 1-0.1-0.15, a.W[0], 1e-7, "a")
	// b: v = −2, −3, −3.5, so W = 1 + 0.2 + 0.3 + 0.35.
	assert.InDelta(t, 1+0.2+0.3+0.35, b.W[0], 1e-6, "b")
}

// TestSGDSameBitsOnAnyThreads updates networks large enough for Step to
// split, whose parts end inside layers, on up to 8 goroutines, and requires
// the parameters and velocities of one goroutine bit for bit.
func TestSGDSameBitsOnAnyThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(1))
	for _, momentum := range []float32{0, 0.9} {
		var want [][]float32
		for _, threads := range []int{1, 2, 3, 8} {
			kernels.SetMaxThreads(threads)
			rng := rand.New(rand.NewPCG(3, 4))
			net := mlp.NewMLP([]int{601, 299, 101}, mlp.Tanh, rng)
			opt := &mlp.SGD{LR: 0.01, Momentum: momentum}
			for range 3 {
				for _, d := range net.Layers {
					copy(d.GradW, randomSlice(rng, len(d.GradW), 1))
					copy(d.GradB, randomSlice(rng, len(d.GradB), 1))
				}
				opt.Step(net.Layers)
			}
			var got [][]float32
			for _, d := range net.Layers {
				got = append(got, d.W, d.B)
			}
			if want == nil {
				want = got
				continue
			}
			for i := range want {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						require.Failf(t, "parameters differ", "momentum %v, %d threads: parameter %d of slice %d is %v, want %v",
							momentum, threads, j, i, got[i][j], want[i][j])
					}
				}
			}
		}
	}
}

// TestSGDSharedParametersSameBits lists one layer twice, and ties the W of
// two layers, in networks large enough to split. Step must apply each entry
// in turn as on one goroutine, whatever the cap, with no data race.
func TestSGDSharedParametersSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(1))
	cases := map[string]func(rng *rand.Rand) []*mlp.Dense{
		"layer listed twice": func(rng *rand.Rand) []*mlp.Dense {
			d := mlp.NewDense(300, 200, mlp.ReLU, rng)
			return []*mlp.Dense{d, mlp.NewDense(200, 10, mlp.Linear, rng), d}
		},
		"tied W": func(rng *rand.Rand) []*mlp.Dense {
			first, second := mlp.NewDense(300, 200, mlp.ReLU, rng), mlp.NewDense(300, 200, mlp.ReLU, rng)
			second.W = first.W
			return []*mlp.Dense{first, second}
		},
	}
	for name, build := range cases {
		for _, momentum := range []float32{0, 0.9} {
			var want []float32
			for _, threads := range []int{1, 2, 8} {
				kernels.SetMaxThreads(threads)
				rng := rand.New(rand.NewPCG(9, 10))
				layers := build(rng)
				opt := &mlp.SGD{LR: 0.5, Momentum: momentum}
				for range 3 {
					for _, d := range layers {
						copy(d.GradW, randomSlice(rng, len(d.GradW), 1))
						copy(d.GradB, randomSlice(rng, len(d.GradB), 1))
					}
					opt.Step(layers)
				}
				got := slices.Concat(layers[0].W, layers[0].B, layers[1].W)
				if want == nil {
					want = got
					continue
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						require.Failf(t, "parameters differ", "%s, momentum %v, %d threads: parameter %d is %v, want %v",
							name, momentum, threads, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestSGDTiedWeightsGetBothGradients checks the values of a tied update:
// with momentum 0, each of the two layers that share W subtracts LR times
// its own gradient.
func TestSGDTiedWeightsGetBothGradients(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(2))
	rng := rand.New(rand.NewPCG(11, 12))
	first, second := mlp.NewDense(256, 128, mlp.ReLU, rng), mlp.NewDense(256, 128, mlp.ReLU, rng)
	second.W = first.W
	clear(first.W)
	for i := range first.GradW {
		first.GradW[i], second.GradW[i] = 1, 2
	}
	(&mlp.SGD{LR: 0.25}).Step([]*mlp.Dense{first, second})
	for i, w := range first.W {
		if w != -0.75 {
			require.Failf(t, "wrong tied update", "W[%d] = %v, want -0.75 = -0.25·1 - 0.25·2", i, w)
		}
	}
}

// TestSGDUpdatesEveryParameter checks a split update against the formula
// for every parameter, so that a part that skipped or repeated a range
// fails.
func TestSGDUpdatesEveryParameter(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(7))
	rng := rand.New(rand.NewPCG(5, 6))
	net := mlp.NewMLP([]int{500, 300, 77}, mlp.ReLU, rng)
	var before [][]float32
	for _, d := range net.Layers {
		copy(d.GradW, randomSlice(rng, len(d.GradW), 1))
		copy(d.GradB, randomSlice(rng, len(d.GradB), 1))
		before = append(before, slices.Clone(d.W), slices.Clone(d.B))
	}
	const lr = 0.125
	(&mlp.SGD{LR: lr, Momentum: 0.5}).Step(net.Layers)
	for l, d := range net.Layers {
		for name, p := range map[string][3][]float32{"W": {before[2*l], d.GradW, d.W}, "B": {before[2*l+1], d.GradB, d.B}} {
			for i, w0 := range p[0] {
				// The first step's velocity is the gradient.
				if want := w0 - lr*p[1][i]; p[2][i] != want {
					require.Failf(t, "wrong update", "layer %d %s[%d] = %v, want %v", l, name, i, p[2][i], want)
				}
			}
		}
	}
}

// BenchmarkSGDStep times Step with momentum on one layer of about 2^14 to
// 2^18 parameters, on one and on two goroutines, to place sgdMinPart.
func BenchmarkSGDStep(b *testing.B) {
	for _, in := range []int{64, 128, 256, 512, 1024} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("params=%d/threads=%d", in*256+256, threads), func(b *testing.B) {
				defer kernels.SetMaxThreads(kernels.SetMaxThreads(threads))
				rng := rand.New(rand.NewPCG(7, 8))
				d := mlp.NewDense(in, 256, mlp.ReLU, rng)
				copy(d.GradW, randomSlice(rng, len(d.GradW), 1))
				opt := &mlp.SGD{LR: 1e-6, Momentum: 0.9}
				layers := []*mlp.Dense{d}
				for b.Loop() {
					opt.Step(layers)
				}
			})
		}
	}
}
