package generic

import (
	"math"

	"github.com/simdgrad/simdgrad/internal/arguments"
)

const pkg = "generic"

// ReLU sets y[i] = 0 where x[i] < 0 and y[i] = x[i] otherwise, so ReLU(-0)
// is -0 and ReLU(NaN) is NaN, as in PyTorch. y and x may be the same slice.
func ReLU(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	x = x[:len(y)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		y[i] = v
	}
}

// LeakyReLU sets y[i] = x[i] where x[i] > 0 and y[i] = slope·x[i] otherwise.
// y and x may be the same slice.
func LeakyReLU(y, x []float32, slope float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	x = x[:len(y)]
	for i, v := range x {
		if !(v > 0) {
			v *= slope
		}
		y[i] = v
	}
}

// Sigmoid sets y[i] = 1 / (1 + e^-x[i]). It is computed in float64, so it
// returns 0 or 1 rather than NaN for finite inputs of any size. y and x may
// be the same slice.
func Sigmoid(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	x = x[:len(y)]
	for i, v := range x {
		y[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// Tanh sets y[i] = tanh(x[i]), computed in float64. y and x may be the same
// slice.
func Tanh(y, x []float32) {
	arguments.SameLen(pkg, "y", len(y), "x", len(x))
	x = x[:len(y)]
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}

// ReLUGrad sets dx[i] = 0 where y[i] ≤ 0 and dx[i] = dy[i] otherwise, where
// y is the output of ReLU. It selects rather than multiplies, so an inactive
// unit gets 0 even when dy[i] is Inf or NaN. dx may be the same slice as dy.
func ReLUGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i, g := range dy {
		if y[i] <= 0 {
			g = 0
		}
		dx[i] = g
	}
}

// LeakyReLUGrad sets dx[i] = dy[i] where y[i] > 0 and dx[i] = slope·dy[i]
// otherwise, where y is the output of LeakyReLU. dx may be the same slice as
// dy.
func LeakyReLUGrad(dx, dy, y []float32, slope float32) {
	checkGrad(dx, dy, y)
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i, g := range dy {
		if !(y[i] > 0) {
			g *= slope
		}
		dx[i] = g
	}
}

// SigmoidGrad sets dx[i] = dy[i]·(1−y[i])·y[i], where y is the output of
// Sigmoid. dx may be the same slice as dy.
func SigmoidGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i, g := range dy {
		dx[i] = g * (1 - y[i]) * y[i]
	}
}

// TanhGrad sets dx[i] = dy[i]·(1−y[i]²), where y is the output of Tanh. dx
// may be the same slice as dy. 1−y² is formed in float64, where y² is exact,
// and rounded once to float32: that matches a fused multiply-add, keeps
// accuracy for |y| near 1, and gives the same bits on every architecture
// (the conversion stops the compiler from fusing differently).
func TanhGrad(dx, dy, y []float32) {
	checkGrad(dx, dy, y)
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i, g := range dy {
		v := float64(y[i])
		dx[i] = g * float32(1-v*v)
	}
}

func checkGrad(dx, dy, y []float32) {
	arguments.SameLen(pkg, "dx", len(dx), "dy", len(dy))
	arguments.SameLen(pkg, "dx", len(dx), "y", len(y))
}
