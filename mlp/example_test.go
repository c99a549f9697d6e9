package mlp_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/simdgrad/simdgrad/mlp"
)

// Example trains a 2-8-2 network to classify XOR and prints the class it
// predicts for each input.
func Example() {
	x := []float32{0, 0, 0, 1, 1, 0, 1, 1}
	labels := []int{0, 1, 1, 0}
	const batch, classes = 4, 2

	net := mlp.NewMLP([]int{2, 8, classes}, mlp.Tanh, rand.New(rand.NewPCG(1, 2)))
	opt := &mlp.SGD{LR: 0.1, Momentum: 0.9}
	grad := make([]float32, batch*classes)
	for range 500 {
		logits := net.Forward(x, batch)
		mlp.SoftmaxCrossEntropy(grad, logits, labels, classes)
		net.Backward(grad)
		opt.Step(net.Layers)
	}

	logits := net.Forward(x, batch)
	for i := range batch {
		row := logits[i*classes : (i+1)*classes]
		predicted := 0
		if row[1] > row[0] {
			predicted = 1
		}
		fmt.Printf("%v XOR %v = %d\n", x[2*i], x[2*i+1], predicted)
	}
	// Output:
	// 0 XOR 0 = 0
	// 0 XOR 1 = 1
	// 1 XOR 0 = 1
	// 1 XOR 1 = 0
}
