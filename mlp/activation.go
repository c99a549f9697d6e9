package mlp

import (
	"fmt"
	"strings"

	"github.com/simdgrad/simdgrad/kernels"
)

// Activation selects the elementwise function f that a Dense layer applies
// after its affine map.
type Activation int

const (
	// Linear is the identity, f(z) = z. NewMLP gives it to the last layer so
	// that the network outputs logits.
	Linear Activation = iota
	// ReLU is f(z) = max(z, 0).
	ReLU
	// LeakyReLU is f(z) = z for z > 0 and Slope·z otherwise.
	LeakyReLU
	// Sigmoid is f(z) = 1 / (1 + e^−z).
	Sigmoid
	// Tanh is f(z) = tanh(z).
	Tanh
)

// activationNames lists the names that String returns and ParseActivation
// accepts, indexed by Activation.
var activationNames = [...]string{
	Linear:    "linear",
	ReLU:      "relu",
	LeakyReLU: "leakyrelu",
	Sigmoid:   "sigmoid",
	Tanh:      "tanh",
}

// String returns the lower-case name of a, such as "relu", or
// "Activation(7)" for a value outside the constants.
func (a Activation) String() string {
	if !a.valid() {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation returns the Activation whose String is name, ignoring
// case, so that a command-line flag can select one.
func ParseActivation(name string) (Activation, error) {
	for a, n := range activationNames {
		if strings.EqualFold(name, n) {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("mlp: invalid activation %q, want one of %s",
		name, strings.Join(activationNames[:], ", "))
}

func (a Activation) valid() bool {
	return a >= 0 && int(a) < len(activationNames)
}

// mustBeValid panics unless a is one of the constants.
func (a Activation) mustBeValid() {
	if !a.valid() {
		panic(fmt.Sprintf("mlp: invalid activation %d", int(a)))
	}
}

// apply sets z = f(z) in place.
func (a Activation) apply(z []float32, slope float32) {
	switch a {
	case Linear:
	case ReLU:
		kernels.ReLU(z, z)
	case LeakyReLU:
		kernels.LeakyReLU(z, z, slope)
	case Sigmoid:
		kernels.Sigmoid(z, z)
	case Tanh:
		kernels.Tanh(z, z)
	default:
		a.mustBeValid()
	}
}

// gradient sets dz = dy ⊙ f′ from y = f(z), the forward output, which is
// all that the derivative kernels need. Linear has no kernel because
// dz = dy, so callers use dy itself rather than call gradient.
func (a Activation) gradient(dz, dy, y []float32, slope float32) {
	switch a {
	case ReLU:
		kernels.ReLUGrad(dz, dy, y)
	case LeakyReLU:
		kernels.LeakyReLUGrad(dz, dy, y, slope)
	case Sigmoid:
		kernels.SigmoidGrad(dz, dy, y)
	case Tanh:
		kernels.TanhGrad(dz, dy, y)
	case Linear:
		copy(dz, dy)
	default:
		a.mustBeValid()
	}
}
