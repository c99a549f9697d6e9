package mlp_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures come from PyTorch 1.13 on the CPU (testdata/make_fixtures.py).
// PyTorch and the kernels sum products in different orders, so results may
// differ by a few float32 roundings per term. These tolerances are about
// twice the largest difference seen on the generic and AVX2 paths.
const (
	fixtureAtol = 2e-6
	fixtureRtol = 2e-5
)

// fixtureLayer is the state of one Dense, W stored In×Out.
type fixtureLayer struct {
	W fixtureFloats `json:"w"`
	B fixtureFloats `json:"b"`
}

type denseFixture struct {
	Cases []struct {
		Name       string        `json:"name"`
		Activation string        `json:"activation"`
		Slope      fixtureFloat  `json:"slope"`
		In         int           `json:"in"`
		Out        int           `json:"out"`
		Batch      int           `json:"batch"`
		W          fixtureFloats `json:"w"`
		B          fixtureFloats `json:"b"`
		X          fixtureFloats `json:"x"`
		DY         fixtureFloats `json:"dy"`
		Y          fixtureFloats `json:"y"`
		DX         fixtureFloats `json:"dx"`
		GradW      fixtureFloats `json:"grad_w"`
		GradB      fixtureFloats `json:"grad_b"`
	} `json:"cases"`
}

func TestDenseMatchesPyTorch(t *testing.T) {
	var fixture denseFixture
	loadFixture(t, "dense.json", &fixture)
	require.NotEmpty(t, fixture.Cases)

	for _, c := range fixture.Cases {
		t.Run(c.Name, func(t *testing.T) {
			act, err := mlp.ParseActivation(c.Activation)
			require.NoError(t, err)
			d := mlp.NewDense(c.In, c.Out, act, rand.New(rand.NewPCG(1, 1)))
			require.Len(t, c.W, len(d.W))
			require.Len(t, c.B, len(d.B))
			copy(d.W, c.W)
			copy(d.B, c.B)
			d.Slope = float32(c.Slope)

			y := d.Forward(c.X, c.Batch)
			assertClose(t, "Y", c.Y, y, fixtureAtol, fixtureRtol)
			dx := d.Backward(c.DY)
			assertClose(t, "dX", c.DX, dx, fixtureAtol, fixtureRtol)
			assertClose(t, "GradW", c.GradW, d.GradW, fixtureAtol, fixtureRtol)
			assertClose(t, "GradB", c.GradB, d.GradB, fixtureAtol, fixtureRtol)
		})
	}
}

type lossFixture struct {
	CrossEntropy []struct {
		Name    string        `json:"name"`
		Classes int           `json:"classes"`
		Logits  fixtureFloats `json:"logits"`
		Labels  []int         `json:"labels"`
		Loss    fixtureFloat  `json:"loss"`
		Grad    fixtureFloats `json:"grad"`
	} `json:"cross_entropy"`
	MSE []struct {
		Name   string        `json:"name"`
		Pred   fixtureFloats `json:"pred"`
		Target fixtureFloats `json:"target"`
		Loss   fixtureFloat  `json:"loss"`
		Grad   fixtureFloats `json:"grad"`
	} `json:"mse"`
}

func TestLossesMatchPyTorch(t *testing.T) {
	var fixture lossFixture
	loadFixture(t, "losses.json", &fixture)
	require.NotEmpty(t, fixture.CrossEntropy)
	require.NotEmpty(t, fixture.MSE)

	// The losses compute in float64 and round once, and PyTorch computes
	// in float32, so the two agree to a few float32 roundings.
	for _, c := range fixture.CrossEntropy {
		t.Run("SoftmaxCrossEntropy/"+c.Name, func(t *testing.T) {
			grad := make([]float32, len(c.Logits))
			loss := mlp.SoftmaxCrossEntropy(grad, c.Logits, c.Labels, c.Classes)
			assertClose(t, "loss", []float32{float32(c.Loss)}, []float32{loss}, fixtureAtol, fixtureRtol)
			assertClose(t, "grad", c.Grad, grad, fixtureAtol, fixtureRtol)
		})
	}
	for _, c := range fixture.MSE {
		t.Run("MSE/"+c.Name, func(t *testing.T) {
			grad := make([]float32, len(c.Pred))
			loss := mlp.MSE(grad, c.Pred, c.Target)
			assertClose(t, "loss", []float32{float32(c.Loss)}, []float32{loss}, fixtureAtol, fixtureRtol)
			assertClose(t, "grad", c.Grad, grad, fixtureAtol, fixtureRtol)
		})
	}
}

type sgdFixture struct {
	Cases []struct {
		Name       string         `json:"name"`
		Activation string         `json:"activation"`
		Sizes      []int          `json:"sizes"`
		Batch      int            `json:"batch"`
		LR         fixtureFloat   `json:"lr"`
		Momentum   fixtureFloat   `json:"momentum"`
		Initial    []fixtureLayer `json:"initial"`
		Steps      []struct {
			X      fixtureFloats  `json:"x"`
			Labels []int          `json:"labels"`
			Loss   fixtureFloat   `json:"loss"`
			Layers []fixtureLayer `json:"layers"`
		} `json:"steps"`
	} `json:"cases"`
}

// TestSGDMatchesPyTorch trains a small MLP with SoftmaxCrossEntropy and
// torch.optim.SGD for a few steps and compares every weight after each.
func TestSGDMatchesPyTorch(t *testing.T) {
	var fixture sgdFixture
	loadFixture(t, "sgd.json", &fixture)
	require.NotEmpty(t, fixture.Cases)

	for _, c := range fixture.Cases {
		t.Run(c.Name, func(t *testing.T) {
			act, err := mlp.ParseActivation(c.Activation)
			require.NoError(t, err)
			net := mlp.NewMLP(c.Sizes, act, rand.New(rand.NewPCG(1, 1)))
			require.Len(t, c.Initial, len(net.Layers))
			for i, d := range net.Layers {
				require.Len(t, c.Initial[i].W, len(d.W))
				require.Len(t, c.Initial[i].B, len(d.B))
				copy(d.W, c.Initial[i].W)
				copy(d.B, c.Initial[i].B)
			}
			opt := &mlp.SGD{LR: float32(c.LR), Momentum: float32(c.Momentum)}
			classes := c.Sizes[len(c.Sizes)-1]
			grad := make([]float32, c.Batch*classes)
			require.NotEmpty(t, c.Steps)

			for step, s := range c.Steps {
				logits := net.Forward(s.X, c.Batch)
				loss := mlp.SoftmaxCrossEntropy(grad, logits, s.Labels, classes)
				net.Backward(grad)
				opt.Step(net.Layers)

				assert.InEpsilonf(t, float32(s.Loss), loss, fixtureRtol, "step %d: loss", step)
				require.Len(t, s.Layers, len(net.Layers))
				for i, d := range net.Layers {
					assertClose(t, stepName(step, i, "W"), s.Layers[i].W, d.W, fixtureAtol, fixtureRtol)
					assertClose(t, stepName(step, i, "B"), s.Layers[i].B, d.B, fixtureAtol, fixtureRtol)
				}
			}
		})
	}
}

func stepName(step, layer int, field string) string {
	return fmt.Sprintf("step %d: Layers[%d].%s", step, layer, field)
}
