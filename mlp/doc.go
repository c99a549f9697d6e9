// Package mlp trains multilayer perceptrons on the CPU: a fully connected
// layer (Dense) and a stack of them (MLP), with forward and backward passes
// on the kernels of package kernels, the losses SoftmaxCrossEntropy and MSE,
// and SGD with momentum.
//
// # Layout
//
// Every matrix is a row-major []float32. A batch of n samples of F features
// is an n×F matrix, one sample per row, sample i at x[i·F:(i+1)·F]. A Dense
// layer with In inputs and Out outputs computes Y = f(X·W + B) on a
// batch×In input X, with W an In×Out matrix and B a bias added to every
// row, and returns a batch×Out Y.
//
// # A training step
//
//	net := mlp.NewMLP([]int{784, 256, 10}, mlp.ReLU, rand.New(rand.NewPCG(1, 2)))
//	opt := &mlp.SGD{LR: 0.1, Momentum: 0.9}
//	grad := make([]float32, batch*10)
//	for _, b := range batches { // b.x is batch×784, b.labels has batch entries
//		logits := net.Forward(b.x, batch)
//		mlp.SoftmaxCrossEntropy(grad, logits, b.labels, 10) // returns the mean loss
//		net.Backward(grad)
//		opt.Step(net.Layers)
//	}
//
// rand is math/rand/v2. A smaller last batch of n rows takes grad[:n*10].
//
// # Ownership and allocation
//
// Forward keeps the caller's x, not a copy, and its own Y for Backward, so
// neither may be modified between Forward and Backward. The slices that
// Forward and Backward return belong to the layer: Y stays valid until the
// layer's next Forward and dX until its next Backward, which overwrite
// them. GradW and GradB are overwritten by each Backward. A layer allocates
// only when a batch is larger than every batch before it, and SGD only the
// first time it steps a layer, so a training loop with a fixed maximum
// batch size allocates nothing once warm. Dense, MLP and SGD keep state and
// are not safe for concurrent use.
//
// # Panics
//
// The functions panic on programmer errors, with a message that starts with
// "mlp:" and names the offending value, for example
// "mlp: len(x) 10 != batch 2 × In 784". They panic on a batch that is not
// positive and on a slice whose length does not match the shapes: x, dy,
// logits, grad, pred, target, and W, B, GradW or GradB of a Dense. They also
// panic on a label outside [0, classes), Backward before Forward, NewMLP
// sizes with fewer than two entries or a size that is not positive, an
// Activation outside the constants, and a negative learning rate or
// momentum. Only ParseActivation returns an error, because its input comes
// from users.
package mlp
