package mlp

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy returns the mean cross-entropy loss of a batch of
// logits against integer class labels,
//
//	L = (1/n) Σᵢ (log Σⱼ exp(zᵢⱼ) − zᵢ,labels[i]),
//
// where z is the n×classes row-major matrix logits and n = len(labels). It
// writes ∂L/∂z = (softmax(z) − onehot(labels))/n into grad, which may be the
// same slice as logits. This is torch.nn.functional.cross_entropy with the
// default reduction='mean'.
//
// The log-sum-exp is taken with each row's maximum subtracted first and
// accumulated in float64, so logits as large as ±1e8 give a finite loss and
// gradient. SoftmaxCrossEntropy panics when labels is empty, classes is not
// positive, len(logits) is not len(labels)×classes, len(grad) differs from
// len(logits) or a label is outside [0, classes).
func SoftmaxCrossEntropy(grad, logits []float32, labels []int, classes int) float32 {
	batch := len(labels)
	switch {
	case batch == 0:
		panic("mlp: len(labels) is 0, so the batch is empty")
	case classes <= 0:
		panic(fmt.Sprintf("mlp: classes %d <= 0", classes))
	case len(logits) != batch*classes:
		panic(fmt.Sprintf("mlp: len(logits) %d != len(labels) %d × classes %d",
			len(logits), batch, classes))
	case len(grad) != len(logits):
		panic(fmt.Sprintf("mlp: len(grad) %d != len(logits) %d", len(grad), len(logits)))
	}
	for i, label := range labels {
		if label < 0 || label >= classes {
			panic(fmt.Sprintf("mlp: labels[%d] %d outside [0, %d)", i, label, classes))
		}
	}

	scale := 1 / float64(batch)
	var total float64
	for i, label := range labels {
		row := logits[i*classes : (i+1)*classes]
		out := grad[i*classes : (i+1)*classes]

		maximum := float64(row[0])
		for _, z := range row[1:] {
			maximum = math.Max(maximum, float64(z))
		}
		// The loop keeps each e^(z−max) in out, so that each exponential is
		// taken once. It reads each element of row before it writes the
		// element of out at the same index, so grad and logits may be one
		// slice, but then it overwrites z_label, which is read first.
		zLabel := float64(row[label])
		var sum float64
		for j, z := range row {
			e := math.Exp(float64(z) - maximum)
			sum += e
			out[j] = float32(e)
		}
		// log Σ e^(z−max) − (z_label − max): subtracting the maximum from
		// z_label first keeps the loss exact when the logits are so large
		// that max + log Σ would round the log term away.
		total += math.Log(sum) - (zLabel - maximum)

		for j, e := range out {
			p := float64(e) / sum
			if j == label {
				p--
			}
			out[j] = float32(p * scale)
		}
	}
	return float32(total * scale)
}

// MSE returns the mean squared error over all n = len(pred) elements,
//
//	L = (1/n) Σᵢ (predᵢ − targetᵢ)²,
//
// and writes ∂L/∂pred = 2(pred − target)/n into grad, which may be the same
// slice as pred or target. This is torch.nn.functional.mse_loss with the
// default reduction='mean'. The sum is accumulated in float64. MSE panics
// when pred is empty or when target or grad differ from pred in length.
func MSE(grad, pred, target []float32) float32 {
	n := len(pred)
	switch {
	case n == 0:
		panic("mlp: len(pred) is 0, so the mean is undefined")
	case len(target) != n:
		panic(fmt.Sprintf("mlp: len(target) %d != len(pred) %d", len(target), n))
	case len(grad) != n:
		panic(fmt.Sprintf("mlp: len(grad) %d != len(pred) %d", len(grad), n))
	}

	scale := 1 / float64(n)
	var total float64
	for i, p := range pred {
		diff := float64(p) - float64(target[i])
		total += diff * diff
		grad[i] = float32(2 * diff * scale)
	}
	return float32(total * scale)
}
