package mlp_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The gradient checks compare the float32 gradients of package mlp with
// central differences of an independent float64 model of the same maths:
//
//	∂L/∂θ ≈ (L(θ+h) − L(θ−h)) / 2h
//
// With h = 1e-6 in float64 the truncation error (about h²) and the
// cancellation error (about 1e-16·|L|/h) are both far below the float32
// rounding of the analytic gradients, so the tolerances below are set by
// float32 alone. A wrong sign or a dropped factor changes a gradient by a
// large fraction of itself and fails them.
const (
	differenceStep = 1e-6
	gradientAtol   = 2e-5
	gradientRtol   = 1e-4
)

// kinkMargin is the smallest |Z| that the ReLU and LeakyReLU checks accept,
// because a pre-activation closer to 0 could cross the kink, where f has no
// derivative, under a perturbation or a rounding difference.
const kinkMargin = 1e-4

// referenceLayer is a Dense layer in float64.
type referenceLayer struct {
	in, out int
	act     mlp.Activation
	slope   float64
	w, b    []float64
}

func referenceOf(d *mlp.Dense) *referenceLayer {
	return &referenceLayer{
		in: d.In, out: d.Out, act: d.Act, slope: float64(d.Slope),
		w: widen(d.W), b: widen(d.B),
	}
}

// preActivation returns Z = X·W + B for a batch×in matrix x.
func (l *referenceLayer) preActivation(x []float64, batch int) []float64 {
	z := make([]float64, batch*l.out)
	for r := range batch {
		for j := range l.out {
			sum := l.b[j]
			for i := range l.in {
				sum += x[r*l.in+i] * l.w[i*l.out+j]
			}
			z[r*l.out+j] = sum
		}
	}
	return z
}

// forward returns f(X·W + B).
func (l *referenceLayer) forward(x []float64, batch int) []float64 {
	z := l.preActivation(x, batch)
	for i, v := range z {
		z[i] = referenceActivation(l.act, v, l.slope)
	}
	return z
}

func referenceActivation(act mlp.Activation, z, slope float64) float64 {
	switch act {
	case mlp.Linear:
		return z
	case mlp.ReLU:
		return math.Max(z, 0)
	case mlp.LeakyReLU:
		if z > 0 {
			return z
		}
		return slope * z
	case mlp.Sigmoid:
		return 1 / (1 + math.Exp(-z))
	case mlp.Tanh:
		return math.Tanh(z)
	}
	panic(fmt.Sprintf("reference: activation %v", act))
}

// hasKink reports whether act has a point without a derivative, at 0.
func hasKink(act mlp.Activation) bool {
	return act == mlp.ReLU || act == mlp.LeakyReLU
}

// minAbs returns the smallest |v| in s.
func minAbs(s []float64) float64 {
	m := math.Inf(1)
	for _, v := range s {
		m = math.Min(m, math.Abs(v))
	}
	return m
}

// referenceCrossEntropy is the mean of log Σⱼ exp(zᵢⱼ) − zᵢ,labels[i],
// computed without subtracting the maximum, which the small logits of the
// gradient checks allow.
func referenceCrossEntropy(logits []float64, labels []int, classes int) float64 {
	var total float64
	for i, label := range labels {
		var sum float64
		for _, z := range logits[i*classes : (i+1)*classes] {
			sum += math.Exp(z)
		}
		total += math.Log(sum) - logits[i*classes+label]
	}
	return total / float64(len(labels))
}

func referenceMSE(pred, target []float64) float64 {
	var total float64
	for i := range pred {
		d := pred[i] - target[i]
		total += d * d
	}
	return total / float64(len(pred))
}

// numericGradient returns the central-difference gradient of loss with
// respect to every element of theta, which loss reads on each call.
func numericGradient(theta []float64, loss func() float64) []float64 {
	grad := make([]float64, len(theta))
	for i, v := range theta {
		theta[i] = v + differenceStep
		up := loss()
		theta[i] = v - differenceStep
		down := loss()
		theta[i] = v
		grad[i] = (up - down) / (2 * differenceStep)
	}
	return grad
}

// dot returns Σ a ⊙ b, the loss whose gradient with respect to a is b.
func dot(a, b []float64) float64 {
	var sum float64
	for i := range a {
		sum += a[i] * b[i]
	}
	return sum
}

// denseProblem is a layer with an input batch and an upstream gradient dY,
// so that L = Σ dY ⊙ Y has ∂L/∂Y = dY.
type denseProblem struct {
	layer *mlp.Dense
	x, dy []float32
	batch int
}

// newDenseProblem draws a random problem, retrying seeds until no
// pre-activation is within kinkMargin of a kink.
func newDenseProblem(t *testing.T, act mlp.Activation, in, out, batch int) denseProblem {
	t.Helper()
	for seed := uint64(1); seed <= 100; seed++ {
		rng := rand.New(rand.NewPCG(seed, uint64(act)))
		p := denseProblem{
			layer: mlp.NewDense(in, out, act, rng),
			x:     randomSlice(rng, batch*in, 2),
			dy:    randomSlice(rng, batch*out, 1),
			batch: batch,
		}
		// A larger bias than NewDense's moves pre-activations of both signs
		// well away from 0 for most units, which matters for the kinks.
		copy(p.layer.B, randomSlice(rng, out, 1))
		p.layer.Slope = 0.1
		z := referenceOf(p.layer).preActivation(widen(p.x), batch)
		if !hasKink(act) || minAbs(z) >= kinkMargin {
			return p
		}
	}
	require.FailNow(t, "no seed keeps the pre-activations away from the kink")
	return denseProblem{}
}

func TestDenseGradients(t *testing.T) {
	shapes := []struct{ in, out, batch int }{
		{5, 4, 3},
		{37, 19, 13},
		// A batch above 256 makes GradW = Xᵀ·dZ a GEMM with k > 256, which
		// the kernels split into blocks.
		{9, 7, 300},
	}
	for _, act := range allActivations {
		for _, shape := range shapes {
			name := fmt.Sprintf("%v/%dx%d batch %d", act, shape.in, shape.out, shape.batch)
			t.Run(name, func(t *testing.T) {
				p := newDenseProblem(t, act, shape.in, shape.out, shape.batch)
				checkDenseGradients(t, p)
			})
		}
	}
}

func checkDenseGradients(t *testing.T, p denseProblem) {
	ref := referenceOf(p.layer)
	x64, dy64 := widen(p.x), widen(p.dy)

	y := p.layer.Forward(p.x, p.batch)
	assertClose(t, "Y", ref.forward(x64, p.batch), y, 1e-6, 1e-5)
	dx := p.layer.Backward(p.dy)

	loss := func() float64 { return dot(ref.forward(x64, p.batch), dy64) }
	assertClose(t, "GradW", numericGradient(ref.w, loss), p.layer.GradW, gradientAtol, gradientRtol)
	assertClose(t, "GradB", numericGradient(ref.b, loss), p.layer.GradB, gradientAtol, gradientRtol)
	assertClose(t, "dX", numericGradient(x64, loss), dx, gradientAtol, gradientRtol)
}

// TestGradientCheckRejectsWrongGradients shows that the tolerances of the
// gradient checks catch the usual mistakes: a flipped sign and a dropped
// f′ factor.
func TestGradientCheckRejectsWrongGradients(t *testing.T) {
	for _, act := range []mlp.Activation{mlp.ReLU, mlp.LeakyReLU, mlp.Sigmoid, mlp.Tanh} {
		t.Run(act.String(), func(t *testing.T) {
			p := newDenseProblem(t, act, 5, 4, 3)
			ref := referenceOf(p.layer)
			x64, dy64 := widen(p.x), widen(p.dy)
			loss := func() float64 { return dot(ref.forward(x64, p.batch), dy64) }
			numeric := numericGradient(ref.w, loss)

			p.layer.Forward(p.x, p.batch)
			p.layer.Backward(p.dy)
			require.Empty(t, mismatches(numeric, p.layer.GradW, gradientAtol, gradientRtol))

			flipped := append([]float32(nil), p.layer.GradW...)
			for i := range flipped {
				flipped[i] = -flipped[i]
			}
			assert.NotEmpty(t, mismatches(numeric, flipped, gradientAtol, gradientRtol), "sign flipped")

			// Without f′ the layer is Linear: GradW = Xᵀ·dY.
			linear := mlp.NewDense(p.layer.In, p.layer.Out, mlp.Linear, rand.New(rand.NewPCG(1, 1)))
			copy(linear.W, p.layer.W)
			copy(linear.B, p.layer.B)
			linear.Forward(p.x, p.batch)
			linear.Backward(p.dy)
			assert.NotEmpty(t, mismatches(numeric, linear.GradW, gradientAtol, gradientRtol), "f′ dropped")
		})
	}
}

// referenceNetwork runs referenceLayer.forward through every layer.
func referenceNetwork(layers []*referenceLayer, x []float64, batch int) []float64 {
	for _, l := range layers {
		x = l.forward(x, batch)
	}
	return x
}

func TestMLPGradients(t *testing.T) {
	sizes := []int{6, 5, 4, 3}
	const batch = 7
	for _, act := range allActivations {
		for _, lossName := range []string{"SoftmaxCrossEntropy", "MSE"} {
			t.Run(act.String()+"/"+lossName, func(t *testing.T) {
				net, x, labels, target := newMLPProblem(t, sizes, act, batch)
				refs := make([]*referenceLayer, len(net.Layers))
				for i, d := range net.Layers {
					refs[i] = referenceOf(d)
				}
				x64, target64 := widen(x), widen(target)
				classes := sizes[len(sizes)-1]
				loss := func() float64 {
					out := referenceNetwork(refs, x64, batch)
					if lossName == "MSE" {
						return referenceMSE(out, target64)
					}
					return referenceCrossEntropy(out, labels, classes)
				}

				out := net.Forward(x, batch)
				grad := make([]float32, len(out))
				var value float32
				if lossName == "MSE" {
					value = mlp.MSE(grad, out, target)
				} else {
					value = mlp.SoftmaxCrossEntropy(grad, out, labels, classes)
				}
				assert.InEpsilon(t, loss(), value, 1e-5, "loss")
				net.Backward(grad)

				for i, d := range net.Layers {
					name := fmt.Sprintf("Layers[%d].", i)
					assertClose(t, name+"GradW", numericGradient(refs[i].w, loss), d.GradW, gradientAtol, gradientRtol)
					assertClose(t, name+"GradB", numericGradient(refs[i].b, loss), d.GradB, gradientAtol, gradientRtol)
				}
			})
		}
	}
}

// newMLPProblem returns a network with an input batch, class labels and
// regression targets, retrying seeds until no hidden pre-activation is
// within kinkMargin of a kink.
func newMLPProblem(t *testing.T, sizes []int, act mlp.Activation, batch int) (
	net *mlp.MLP, x []float32, labels []int, target []float32) {
	t.Helper()
	classes := sizes[len(sizes)-1]
	for seed := uint64(1); seed <= 100; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		net = mlp.NewMLP(sizes, act, rng)
		for _, d := range net.Layers {
			copy(d.B, randomSlice(rng, d.Out, 0.5))
			d.Slope = 0.1
		}
		x = randomSlice(rng, batch*sizes[0], 2)
		labels = randomLabels(rng, batch, classes)
		target = randomSlice(rng, batch*classes, 1)
		if !hasKink(act) || hiddenMargin(net, x, batch) >= kinkMargin {
			return net, x, labels, target
		}
	}
	require.FailNow(t, "no seed keeps the pre-activations away from the kink")
	return nil, nil, nil, nil
}

// hiddenMargin returns the smallest |Z| over the hidden layers of net.
func hiddenMargin(net *mlp.MLP, x []float32, batch int) float64 {
	margin := math.Inf(1)
	h := widen(x)
	for _, d := range net.Layers[:len(net.Layers)-1] {
		ref := referenceOf(d)
		margin = math.Min(margin, minAbs(ref.preActivation(h, batch)))
		h = ref.forward(h, batch)
	}
	return margin
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	for _, scale := range []float64{1, 10} {
		t.Run(fmt.Sprintf("logits in ±%g", scale), func(t *testing.T) {
			const batch, classes = 6, 5
			rng := rand.New(rand.NewPCG(3, uint64(scale)))
			logits := randomSlice(rng, batch*classes, scale)
			labels := randomLabels(rng, batch, classes)
			logits64 := widen(logits)
			loss := func() float64 { return referenceCrossEntropy(logits64, labels, classes) }

			grad := make([]float32, len(logits))
			value := mlp.SoftmaxCrossEntropy(grad, logits, labels, classes)
			assert.InEpsilon(t, loss(), value, 1e-6, "loss")
			assertClose(t, "grad", numericGradient(logits64, loss), grad, 1e-7, 1e-5)
		})
	}
}

func TestMSEGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	pred := randomSlice(rng, 15, 3)
	target := randomSlice(rng, 15, 3)
	pred64, target64 := widen(pred), widen(target)
	loss := func() float64 { return referenceMSE(pred64, target64) }

	grad := make([]float32, len(pred))
	value := mlp.MSE(grad, pred, target)
	assert.InEpsilon(t, loss(), value, 1e-6, "loss")
	assertClose(t, "grad", numericGradient(pred64, loss), grad, 1e-7, 1e-5)
}
