package mlp_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
)

func TestSoftmaxCrossEntropyLargeLogits(t *testing.T) {
	logits := []float32{1e8, -1e8, 0, -1e8, 1e8, 0}
	grad := make([]float32, 6)
	loss := mlp.SoftmaxCrossEntropy(grad, logits, []int{1, 1}, 3)
	// Row 0 costs 2e8 and row 1 costs log(1 + 2e^−1e8) = 0.
	assert.Equal(t, float32(1e8), loss)
	assert.Equal(t, []float32{0.5, -0.5, 0, 0, 0, 0}, grad)

	loss = mlp.SoftmaxCrossEntropy(grad[:3], []float32{-1e8, -1e8, -1e8}, []int{2}, 3)
	assert.InDelta(t, math.Log(3), loss, 1e-6, "all-equal logits")
}

func TestSoftmaxCrossEntropyInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	logits := randomSlice(rng, 12, 3)
	labels := []int{0, 3, 2}
	want := make([]float32, 12)
	wantLoss := mlp.SoftmaxCrossEntropy(want, logits, labels, 4)

	loss := mlp.SoftmaxCrossEntropy(logits, logits, labels, 4)
	assert.Equal(t, wantLoss, loss)
	assert.Equal(t, want, logits)
}

func TestMSEInPlace(t *testing.T) {
	pred := []float32{1, 2, 3, 4}
	target := []float32{0, 2, 5, 4}
	loss := mlp.MSE(pred, pred, target)
	// (1 + 0 + 4 + 0)/4, gradient 2(pred − target)/4.
	assert.Equal(t, float32(1.25), loss)
	assert.Equal(t, []float32{0.5, 0, -1, 0}, pred)
}

func TestSoftmaxCrossEntropyHugeEqualLogits(t *testing.T) {
	cases := []struct {
		logits []float32
		want   float64
	}{
		{[]float32{1e17, 1e17}, math.Log(2)},
		{[]float32{-1e30, -1e30, -1e30}, math.Log(3)},
		{[]float32{3e38, 3e38, 3e38, 3e38}, math.Log(4)},
	}
	for _, tc := range cases {
		grad := make([]float32, len(tc.logits))
		loss := mlp.SoftmaxCrossEntropy(grad, tc.logits, []int{0}, len(tc.logits))
		assert.InDelta(t, tc.want, float64(loss), 1e-6, "logits %v", tc.logits)
	}
}
