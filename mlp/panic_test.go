package mlp_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
)

func TestPanicMessages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	newDense := func(in, out int) *mlp.Dense { return mlp.NewDense(in, out, mlp.Tanh, rng) }
	forwarded := func(in, out, batch int) *mlp.Dense {
		d := newDense(in, out)
		d.Forward(make([]float32, batch*in), batch)
		return d
	}
	newNet := func(sizes ...int) *mlp.MLP { return mlp.NewMLP(sizes, mlp.ReLU, rng) }
	grad := make([]float32, 6)

	cases := []struct {
		name    string
		message string
		call    func()
	}{
		{"NewDense in 0", "mlp: in 0 <= 0", func() { newDense(0, 3) }},
		{"NewDense out negative", "mlp: out -1 <= 0", func() { newDense(3, -1) }},
		{"NewDense nil rng", "mlp: rng is nil", func() { mlp.NewDense(2, 3, mlp.ReLU, nil) }},
		{"NewDense invalid activation", "mlp: invalid activation 9",
			func() { mlp.NewDense(2, 3, mlp.Activation(9), rng) }},

		{"Forward batch 0", "mlp: batch 0 <= 0", func() { newDense(3, 2).Forward(nil, 0) }},
		{"Forward batch negative", "mlp: batch -2 <= 0", func() { newDense(3, 2).Forward(nil, -2) }},
		{"Forward len(x)", "mlp: len(x) 10 != batch 2 × In 784",
			func() { newDense(784, 10).Forward(make([]float32, 10), 2) }},
		{"Forward len(W)", "mlp: len(W) 5 != In 2 × Out 3", func() {
			d := newDense(2, 3)
			d.W = d.W[:5]
			d.Forward(make([]float32, 2), 1)
		}},
		{"Forward len(B)", "mlp: len(B) 2 != Out 3", func() {
			d := newDense(2, 3)
			d.B = d.B[:2]
			d.Forward(make([]float32, 2), 1)
		}},
		{"Forward In 0", "mlp: In 0 <= 0", func() { (&mlp.Dense{Out: 1}).Forward(nil, 1) }},
		{"Forward invalid activation", "mlp: invalid activation 7", func() {
			d := newDense(2, 3)
			d.Act = 7
			d.Forward(make([]float32, 2), 1)
		}},

		{"Backward before Forward", "mlp: Backward called before Forward",
			func() { newDense(3, 2).Backward(make([]float32, 2)) }},
		{"Backward len(dy)", "mlp: len(dy) 5 != batch 2 × Out 4",
			func() { forwarded(3, 4, 2).Backward(make([]float32, 5)) }},

		{"NewMLP no sizes", "mlp: len(sizes) 0 < 2", func() { newNet() }},
		{"NewMLP one size", "mlp: len(sizes) 1 < 2", func() { newNet(5) }},
		{"NewMLP size 0", "mlp: sizes[1] 0 <= 0", func() { newNet(5, 0, 3) }},
		{"NewMLP negative size", "mlp: sizes[2] -3 <= 0", func() { newNet(5, 4, -3) }},
		{"NewMLP invalid activation", "mlp: invalid activation 5",
			func() { mlp.NewMLP([]int{2, 3}, 5, rng) }},
		{"MLP no layers", "mlp: MLP has no layers",
			func() { (&mlp.MLP{}).Forward(make([]float32, 2), 1) }},
		{"MLP layers do not chain", "mlp: Layers[1].In 4 != Layers[0].Out 3", func() {
			net := &mlp.MLP{Layers: []*mlp.Dense{newDense(2, 3), newDense(4, 1)}}
			net.Forward(make([]float32, 2), 1)
		}},
		{"MLP Backward before Forward", "mlp: Backward called before Forward",
			func() { newNet(2, 3, 1).Backward(make([]float32, 1)) }},
		{"MLP Forward len(x)", "mlp: len(x) 3 != batch 1 × In 2",
			func() { newNet(2, 3, 1).Forward(make([]float32, 3), 1) }},

		{"SoftmaxCrossEntropy no labels", "mlp: len(labels) is 0, so the batch is empty",
			func() { mlp.SoftmaxCrossEntropy(nil, nil, nil, 3) }},
		{"SoftmaxCrossEntropy classes 0", "mlp: classes 0 <= 0",
			func() { mlp.SoftmaxCrossEntropy(nil, nil, []int{0}, 0) }},
		{"SoftmaxCrossEntropy len(logits)", "mlp: len(logits) 5 != len(labels) 2 × classes 3",
			func() { mlp.SoftmaxCrossEntropy(grad, make([]float32, 5), []int{0, 1}, 3) }},
		{"SoftmaxCrossEntropy len(grad)", "mlp: len(grad) 5 != len(logits) 6",
			func() { mlp.SoftmaxCrossEntropy(grad[:5], make([]float32, 6), []int{0, 1}, 3) }},
		{"SoftmaxCrossEntropy label too large", "mlp: labels[1] 3 outside [0, 3)",
			func() { mlp.SoftmaxCrossEntropy(grad, make([]float32, 6), []int{0, 3}, 3) }},
		{"SoftmaxCrossEntropy label negative", "mlp: labels[0] -1 outside [0, 3)",
			func() { mlp.SoftmaxCrossEntropy(grad, make([]float32, 6), []int{-1, 0}, 3) }},

		{"MSE empty", "mlp: len(pred) is 0, so the mean is undefined",
			func() { mlp.MSE(nil, nil, nil) }},
		{"MSE len(target)", "mlp: len(target) 5 != len(pred) 6",
			func() { mlp.MSE(grad, make([]float32, 6), make([]float32, 5)) }},
		{"MSE len(grad)", "mlp: len(grad) 4 != len(pred) 6",
			func() { mlp.MSE(grad[:4], make([]float32, 6), make([]float32, 6)) }},

		{"SGD negative LR", "mlp: LR -0.1 is negative or NaN",
			func() { (&mlp.SGD{LR: -0.1}).Step(nil) }},
		{"SGD NaN momentum", "mlp: Momentum NaN is negative or NaN",
			func() { (&mlp.SGD{LR: 0.1, Momentum: float32(math.NaN())}).Step(nil) }},
		{"SGD nil layer", "mlp: layers[1] is nil",
			func() { (&mlp.SGD{LR: 0.1}).Step([]*mlp.Dense{newDense(1, 1), nil}) }},
		{"SGD len(GradW)", "mlp: layers[1]: len(GradW) 0 != len(W) 6", func() {
			d := newDense(2, 3)
			d.GradW = nil
			(&mlp.SGD{LR: 0.1}).Step([]*mlp.Dense{newDense(1, 1), d})
		}},
		{"SGD len(GradB)", "mlp: layers[0]: len(GradB) 2 != len(B) 3", func() {
			d := newDense(2, 3)
			d.GradB = d.GradB[:2]
			(&mlp.SGD{LR: 0.1}).Step([]*mlp.Dense{d})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.PanicsWithValue(t, c.message, c.call)
		})
	}
}

// TestPanicsBeforeWriting checks that a rejected call leaves its outputs
// as they were.
func TestPanicsBeforeWriting(t *testing.T) {
	grad := []float32{7, 7, 7, 7, 7, 7}
	assert.Panics(t, func() { mlp.SoftmaxCrossEntropy(grad, make([]float32, 6), []int{0, 3}, 3) })
	assert.Equal(t, []float32{7, 7, 7, 7, 7, 7}, grad, "SoftmaxCrossEntropy")

	rng := rand.New(rand.NewPCG(1, 1))
	good, bad := mlp.NewDense(2, 2, mlp.Tanh, rng), mlp.NewDense(2, 2, mlp.Tanh, rng)
	good.GradW[0] = 1
	bad.GradB = nil
	w := append([]float32(nil), good.W...)
	assert.Panics(t, func() { (&mlp.SGD{LR: 0.1}).Step([]*mlp.Dense{good, bad}) })
	assert.Equal(t, w, good.W, "SGD.Step")
}
