package mlp_test

import (
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
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
