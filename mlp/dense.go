package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/simdgrad/simdgrad/kernels"
)

// Dense is a fully connected layer, Y = f(X·W + B), where X is batch×In,
// W is In×Out, B is a row vector added to every row and f is Act.
//
// W[i·Out+j] is the weight from input i to output j, so W is the transpose
// of the weight matrix of PyTorch's nn.Linear, whose weight[j][i] is the
// same number.
//
// Forward keeps x and Y for Backward. A Dense is therefore not safe for
// concurrent use, and the caller must not modify x or Y between Forward
// and Backward.
type Dense struct {
	In, Out int
	Act     Activation
	Slope   float32   // LeakyReLU's negative slope; NewDense sets 0.01
	W       []float32 // In×Out, row-major: Y = f(X·W + B)
	B       []float32 // Out

	// GradW and GradB are ∂L/∂W and ∂L/∂B for the batch of the last
	// Backward, overwritten rather than accumulated by each call.
	GradW, GradB []float32

	// x is the input of the last Forward (the caller's slice) and batch its
	// number of rows; x is nil until the first Forward.
	x     []float32
	batch int

	// y, dz and dx are the layer's buffers for Y, dY ⊙ f′ and ∂L/∂X, which
	// grow only when the batch does. Forward returns y and Backward dx.
	y, dz, dx []float32
}

// NewDense returns a layer with in inputs and out outputs, initialised as
// PyTorch 1.13 initialises nn.Linear by default (Linear.reset_parameters in
// torch/nn/modules/linear.py): kaiming_uniform_ with a = √5 gives
// W ~ U(−1/√in, 1/√in), and B ~ U(−1/√in, 1/√in) as well.
// Slope is 0.01, the default negative slope of PyTorch's LeakyReLU.
// NewDense draws every weight from rng (math/rand/v2), so a seeded source
// gives the same layer every run. It panics unless in and out are positive,
// act is one of the constants and rng is not nil.
func NewDense(in, out int, act Activation, rng *rand.Rand) *Dense {
	switch {
	case in <= 0:
		panic(fmt.Sprintf("mlp: in %d <= 0", in))
	case out <= 0:
		panic(fmt.Sprintf("mlp: out %d <= 0", out))
	case rng == nil:
		panic("mlp: rng is nil")
	}
	act.mustBeValid()

	// kaiming_uniform_ draws from U(−bound, bound) with bound =
	// gain·√(3/fan_in) and gain = √(2/(1+a²)); with a = √5 that is 1/√in.
	bound := 1 / math.Sqrt(float64(in))
	d := &Dense{
		In:    in,
		Out:   out,
		Act:   act,
		Slope: 0.01,
		W:     make([]float32, in*out),
		B:     make([]float32, out),
		GradW: make([]float32, in*out),
		GradB: make([]float32, out),
	}
	for i := range d.W {
		d.W[i] = float32(bound * (2*rng.Float64() - 1))
	}
	for i := range d.B {
		d.B[i] = float32(bound * (2*rng.Float64() - 1))
	}
	return d
}

// Forward computes Y = f(X·W + B) for batch rows of x, a batch×In
// row-major matrix, and returns Y, a batch×Out row-major matrix.
//
// Forward keeps x itself, not a copy, for Backward. Y belongs to the layer
// and stays valid until the next Forward, which overwrites it. Forward
// allocates only when batch exceeds every batch before it. It panics when
// batch is not positive, when len(x) is not batch×In, and when In, Out,
// Act, W or B do not describe a valid layer.
func (d *Dense) Forward(x []float32, batch int) []float32 {
	d.checkParameters()
	if batch <= 0 {
		panic(fmt.Sprintf("mlp: batch %d <= 0", batch))
	}
	if len(x) != batch*d.In {
		panic(fmt.Sprintf("mlp: len(x) %d != batch %d × In %d", len(x), batch, d.In))
	}

	y := grow(&d.y, batch*d.Out)
	kernels.Gemm(false, false, batch, d.Out, d.In, 1, x, d.In, d.W, d.Out, 0, y, d.Out)
	kernels.AddBias(batch, d.Out, d.B, y, d.Out)
	d.Act.apply(y, d.Slope)

	d.x, d.batch = x, batch
	return y
}

// Backward takes dy = ∂L/∂Y for the batch of the last Forward, a batch×Out
// row-major matrix, and sets
//
//	dZ    = dY ⊙ f′(Z)  (dZ = dY when Act is Linear)
//	GradW = Xᵀ·dZ
//	GradB = Σ rows of dZ
//
// It returns dX = dZ·Wᵀ, a batch×In matrix that belongs to the layer and
// stays valid until the next Backward. Backward does not modify dy. It
// allocates only when the batch exceeds every batch before it, and when
// GradW or GradB has the wrong length, as in a Dense literal. It panics
// before any Forward and when len(dy) is not batch×Out.
func (d *Dense) Backward(dy []float32) []float32 {
	return d.backward(dy, true)
}

// backward is Backward with the option to skip dX, in which case it
// returns nil. A network's first layer skips it because nothing uses its
// dX, which would cost a GEMM as large as the one for GradW.
func (d *Dense) backward(dy []float32, inputGradient bool) []float32 {
	if d.x == nil {
		panic("mlp: Backward called before Forward")
	}
	d.checkParameters()
	batch, in, out := d.batch, d.In, d.Out
	if len(dy) != batch*out {
		panic(fmt.Sprintf("mlp: len(dy) %d != batch %d × Out %d", len(dy), batch, out))
	}

	// The Linear case reads dy in place of dZ, which needs no copy because
	// nothing below writes to dZ.
	dz := dy
	if d.Act != Linear {
		dz = grow(&d.dz, batch*out)
		d.Act.gradient(dz, dy, d.y[:batch*out], d.Slope)
	}

	if len(d.GradW) != in*out {
		d.GradW = make([]float32, in*out)
	}
	if len(d.GradB) != out {
		d.GradB = make([]float32, out)
	}
	// X is stored batch×In, so Xᵀ·dZ is Gemm with A transposed: op(A) is
	// In×batch with lda = In.
	kernels.Gemm(true, false, in, out, batch, 1, d.x, in, dz, out, 0, d.GradW, out)
	kernels.SumRows(batch, out, dz, out, d.GradB)

	if !inputGradient {
		return nil
	}
	// W is stored In×Out, so dZ·Wᵀ is Gemm with B transposed: op(B) is
	// Out×In with ldb = Out.
	dx := grow(&d.dx, batch*in)
	kernels.Gemm(false, true, batch, in, out, 1, dz, out, d.W, out, 0, dx, in)
	return dx
}

// checkParameters panics unless the exported fields describe a valid
// layer, which they may not when a caller builds or edits a Dense by hand.
func (d *Dense) checkParameters() {
	switch {
	case d.In <= 0:
		panic(fmt.Sprintf("mlp: In %d <= 0", d.In))
	case d.Out <= 0:
		panic(fmt.Sprintf("mlp: Out %d <= 0", d.Out))
	case len(d.W) != d.In*d.Out:
		panic(fmt.Sprintf("mlp: len(W) %d != In %d × Out %d", len(d.W), d.In, d.Out))
	case len(d.B) != d.Out:
		panic(fmt.Sprintf("mlp: len(B) %d != Out %d", len(d.B), d.Out))
	}
	d.Act.mustBeValid()
}

// grow returns (*buf)[:n], first replacing *buf with a larger slice when
// its capacity is below n. The old contents are not kept, because every
// caller overwrites the n elements.
func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}
