package mlp

import (
	"fmt"
	"math/rand/v2"
)

// MLP is a multilayer perceptron: Layers[0] takes the input, each later
// layer takes the output of the one before it, and the last one produces
// the network's output.
type MLP struct{ Layers []*Dense }

// NewMLP stacks len(sizes)−1 Dense layers, layer i mapping sizes[i] inputs
// to sizes[i+1] outputs. Hidden layers use act and the last layer is
// Linear, so that the network outputs logits for SoftmaxCrossEntropy or
// values for MSE. Each layer is initialised by NewDense from rng, first layer first.
// NewMLP panics when sizes has fewer than 2 entries or an entry that is not
// positive.
func NewMLP(sizes []int, act Activation, rng *rand.Rand) *MLP {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("mlp: len(sizes) %d < 2", len(sizes)))
	}
	for i, size := range sizes {
		if size <= 0 {
			panic(fmt.Sprintf("mlp: sizes[%d] %d <= 0", i, size))
		}
	}
	act.mustBeValid()

	layers := make([]*Dense, len(sizes)-1)
	for i := range layers {
		layerAct := act
		if i == len(layers)-1 {
			layerAct = Linear
		}
		layers[i] = NewDense(sizes[i], sizes[i+1], layerAct, rng)
	}
	return &MLP{Layers: layers}
}

// Forward runs every layer on x, a batch×In row-major matrix for In =
// Layers[0].In, and returns the last layer's Y, batch×Out for Out of the
// last layer. The returned slice belongs to that layer, as for
// Dense.Forward. Forward panics when there are no layers, when a layer's In
// differs from the Out of the layer before it, and wherever Dense.Forward
// panics.
func (m *MLP) Forward(x []float32, batch int) []float32 {
	m.checkLayers()
	for _, layer := range m.Layers {
		x = layer.Forward(x, batch)
	}
	return x
}

// Backward takes dy = ∂L/∂Y for the output of the last Forward and sets the
// GradW and GradB of every layer, passing each layer's dX to the layer
// before it. The first layer's dX, ∂L/∂X of the network's input, is not
// computed. Backward does not modify dy, and panics wherever
// Dense.Backward panics.
func (m *MLP) Backward(dy []float32) {
	m.checkLayers()
	for i := len(m.Layers) - 1; i >= 0; i-- {
		dy = m.Layers[i].backward(dy, i > 0)
	}
}

func (m *MLP) checkLayers() {
	if len(m.Layers) == 0 {
		panic("mlp: MLP has no layers")
	}
	for i := 1; i < len(m.Layers); i++ {
		if in, out := m.Layers[i].In, m.Layers[i-1].Out; in != out {
			panic(fmt.Sprintf("mlp: Layers[%d].In %d != Layers[%d].Out %d", i, in, i-1, out))
		}
	}
}
