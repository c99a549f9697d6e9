package mlp_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewDenseShapes(t *testing.T) {
	d := mlp.NewDense(5, 3, mlp.Sigmoid, rand.New(rand.NewPCG(1, 2)))
	assert.Equal(t, 5, d.In)
	assert.Equal(t, 3, d.Out)
	assert.Equal(t, mlp.Sigmoid, d.Act)
	assert.Equal(t, float32(0.01), d.Slope)
	assert.Len(t, d.W, 15)
	assert.Len(t, d.B, 3)
	assert.Equal(t, make([]float32, 15), d.GradW)
	assert.Equal(t, make([]float32, 3), d.GradB)
}

// TestNewDenseInitialisation checks the nn.Linear default: W and B uniform
// on [−1/√in, 1/√in]. in and out differ, so a bound computed from out or
// from in + out fails.
func TestNewDenseInitialisation(t *testing.T) {
	const in, out = 400, 300
	d := mlp.NewDense(in, out, mlp.ReLU, rand.New(rand.NewPCG(1, 2)))
	bound := 1 / math.Sqrt(in)

	for name, values := range map[string][]float32{"W": d.W, "B": d.B} {
		var maxAbs, sum, sumSquares float64
		for _, v := range values {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
			sum += float64(v)
			sumSquares += float64(v) * float64(v)
		}
		n := float64(len(values))
		assert.LessOrEqualf(t, maxAbs, bound, "%s: max |value|", name)
		assert.Greaterf(t, maxAbs, 0.98*bound, "%s: max |value|", name)
		// U(−b, b) has mean 0 and variance b²/3. The allowances are about
		// five standard errors of the estimates.
		assert.InDeltaf(t, 0, sum/n, 5*bound/math.Sqrt(3*n), "%s: mean", name)
		assert.InEpsilonf(t, bound*bound/3, sumSquares/n, 5*math.Sqrt(0.8/n), "%s: variance", name)
	}
}

func TestNewDenseSeeded(t *testing.T) {
	a := mlp.NewDense(6, 4, mlp.Tanh, rand.New(rand.NewPCG(3, 4)))
	b := mlp.NewDense(6, 4, mlp.Tanh, rand.New(rand.NewPCG(3, 4)))
	c := mlp.NewDense(6, 4, mlp.Tanh, rand.New(rand.NewPCG(3, 5)))
	assert.Equal(t, a.W, b.W, "same seed, same W")
	assert.Equal(t, a.B, b.B, "same seed, same B")
	assert.NotEqual(t, a.W, c.W, "another seed, another W")
}

// TestDenseBufferReuse checks that Forward and Backward reuse their buffers
// for a batch no larger than before, and still compute the right values.
func TestDenseBufferReuse(t *testing.T) {
	for _, act := range allActivations {
		t.Run(act.String(), func(t *testing.T) {
			const in, out = 6, 5
			rng := rand.New(rand.NewPCG(5, 6))
			d := mlp.NewDense(in, out, act, rng)
			fresh := mlp.NewDense(in, out, act, rng)
			copy(fresh.W, d.W)
			copy(fresh.B, d.B)
			x := randomSlice(rng, 8*in, 2)
			dy := randomSlice(rng, 8*out, 1)

			y8 := d.Forward(x, 8)
			dx8 := d.Backward(dy)
			y3 := d.Forward(x[:3*in], 3)
			dx3 := d.Backward(dy[:3*out])
			assert.Same(t, &y8[0], &y3[0], "Y reused")
			assert.Same(t, &dx8[0], &dx3[0], "dX reused")
			assert.Len(t, y3, 3*out)
			assert.Len(t, dx3, 3*in)

			// A fresh layer on the smaller batch gives the same results.
			assertClose(t, "Y", fresh.Forward(x[:3*in], 3), y3, 0, 0)
			assertClose(t, "dX", fresh.Backward(dy[:3*out]), dx3, 0, 0)
			assertClose(t, "GradW", fresh.GradW, d.GradW, 0, 0)
			assertClose(t, "GradB", fresh.GradB, d.GradB, 0, 0)

			big := make([]float32, 9*in)
			y9 := d.Forward(big, 9)
			assert.Len(t, y9, 9*out, "Y grows with the batch")
			assert.Len(t, d.Backward(make([]float32, 9*out)), 9*in, "dX grows with the batch")
		})
	}
}

// TestDenseBackwardOverwrites checks that GradW and GradB are the gradients
// of the last batch, not sums over calls, and that Backward leaves dy as it
// was.
func TestDenseBackwardOverwrites(t *testing.T) {
	for _, act := range allActivations {
		t.Run(act.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			d := mlp.NewDense(4, 3, act, rng)
			x := randomSlice(rng, 2*4, 2)
			dy := randomSlice(rng, 2*3, 1)
			dyBefore := append([]float32(nil), dy...)

			d.Forward(x, 2)
			d.Backward(dy)
			assert.Equal(t, dyBefore, dy, "dy unchanged")
			gradW := append([]float32(nil), d.GradW...)
			gradB := append([]float32(nil), d.GradB...)

			d.Backward(dy)
			assert.Equal(t, gradW, d.GradW, "GradW after a second Backward")
			assert.Equal(t, gradB, d.GradB, "GradB after a second Backward")
		})
	}
}

// TestDenseKeepsInput checks that Forward keeps the caller's x rather than
// a copy, so Backward uses a later change to x.
func TestDenseKeepsInput(t *testing.T) {
	d := mlp.NewDense(1, 1, mlp.Linear, rand.New(rand.NewPCG(1, 1)))
	x := []float32{2}
	d.Forward(x, 1)
	x[0] = 5
	d.Backward([]float32{1})
	assert.Equal(t, []float32{5}, d.GradW, "GradW = Xᵀ·dY with the changed x")
}

// TestDenseBuiltByHand covers a Dense literal, whose GradW and GradB start
// nil until Backward allocates them.
func TestDenseBuiltByHand(t *testing.T) {
	d := &mlp.Dense{In: 2, Out: 1, Act: mlp.Linear, W: []float32{1, 2}, B: []float32{0.5}}
	y := d.Forward([]float32{3, 4}, 1)
	assert.Equal(t, []float32{11.5}, y)
	dx := d.Backward([]float32{2})
	assert.Equal(t, []float32{2, 4}, dx)
	assert.Equal(t, []float32{6, 8}, d.GradW)
	assert.Equal(t, []float32{2}, d.GradB)
}

func TestNewMLPLayers(t *testing.T) {
	net := mlp.NewMLP([]int{6, 5, 4, 3}, mlp.Tanh, rand.New(rand.NewPCG(1, 2)))
	require.Len(t, net.Layers, 3)
	wantShapes := [][2]int{{6, 5}, {5, 4}, {4, 3}}
	wantActs := []mlp.Activation{mlp.Tanh, mlp.Tanh, mlp.Linear}
	for i, d := range net.Layers {
		assert.Equalf(t, wantShapes[i], [2]int{d.In, d.Out}, "Layers[%d] In, Out", i)
		assert.Equalf(t, wantActs[i], d.Act, "Layers[%d].Act", i)
	}

	// A single layer is the output layer, so it is Linear.
	single := mlp.NewMLP([]int{3, 2}, mlp.ReLU, rand.New(rand.NewPCG(1, 2)))
	require.Len(t, single.Layers, 1)
	assert.Equal(t, mlp.Linear, single.Layers[0].Act)
}

// TestMLPForwardChainsLayers checks MLP.Forward against the layers run one
// by one, and MLP.Backward against Dense.Backward on each.
func TestMLPForwardChainsLayers(t *testing.T) {
	sizes := []int{6, 5, 4, 3}
	const batch = 4
	net := mlp.NewMLP(sizes, mlp.Sigmoid, rand.New(rand.NewPCG(9, 9)))
	copyNet := mlp.NewMLP(sizes, mlp.Sigmoid, rand.New(rand.NewPCG(9, 9)))
	rng := rand.New(rand.NewPCG(1, 1))
	x := randomSlice(rng, batch*6, 1)
	dy := randomSlice(rng, batch*3, 1)

	out := net.Forward(x, batch)
	h := x
	for _, d := range copyNet.Layers {
		h = d.Forward(h, batch)
	}
	assertClose(t, "output", h, out, 0, 0)

	net.Backward(dy)
	g := dy
	for i := len(copyNet.Layers) - 1; i >= 0; i-- {
		g = copyNet.Layers[i].Backward(g)
	}
	for i := range net.Layers {
		assertClose(t, "GradW", copyNet.Layers[i].GradW, net.Layers[i].GradW, 0, 0)
		assertClose(t, "GradB", copyNet.Layers[i].GradB, net.Layers[i].GradB, 0, 0)
	}
}
