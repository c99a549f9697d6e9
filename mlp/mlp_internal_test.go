package mlp

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMLPBackwardSkipsInputGradient checks that MLP.Backward computes dX
// for every layer but the first, whose dX nothing uses.
func TestMLPBackwardSkipsInputGradient(t *testing.T) {
	net := NewMLP([]int{4, 3, 2}, Tanh, rand.New(rand.NewPCG(1, 2)))
	net.Forward(make([]float32, 2*4), 2)
	net.Backward(make([]float32, 2*2))
	assert.Nil(t, net.Layers[0].dx, "Layers[0] dX buffer")
	assert.Len(t, net.Layers[1].dx, 2*3, "Layers[1] dX buffer")
}
