package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/simdgrad/simdgrad/bench/mnist"
	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
)

// evalBatch is the number of test images per Forward call when evaluating.
const evalBatch = 1000

// run parses args, trains and evaluates the network, and writes the results
// to stdout and the progress bar to stderr.
func run(args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}

	// The network comes first, so that a bad -load file fails before the
	// data is read.
	rng := rand.New(rand.NewPCG(c.seed, 0))
	net, err := buildNetwork(c, rng)
	if err != nil {
		return err
	}

	dir := c.dataDir
	if dir == "" {
		if dir, err = mnist.DataDir(); err != nil {
			return fmt.Errorf("%w; pass -data DIR to read the MNIST files from a directory", err)
		}
	}
	train, test, err := mnist.Load(dir)
	if err != nil {
		return err
	}
	train, test = train.Head(c.trainLimit), test.Head(c.testLimit)

	fmt.Fprintf(stdout, "kernels %s, threads %d (Gemm and SGD), network %s, %d parameters\n",
		kernels.Impl(), kernels.MaxThreads(), describeNetwork(net), countParameters(net))
	fmt.Fprintf(stdout, "data %s: %d training and %d test images; SGD batch %d, lr %g, momentum %g; epochs %d, seed %d\n",
		dir, train.Len(), test.Len(), c.batch, c.lr, c.momentum, c.epochs, c.seed)
	if c.load != "" {
		fmt.Fprintf(stdout, "epoch 0/%d: weights from %s, test accuracy %s\n", c.epochs, c.load, formatAccuracy(evaluate(net, test)))
	}

	t := newTrainer(net, c, rng)
	for epoch := 1; epoch <= c.epochs; epoch++ {
		bar := newProgressBar(stderr, fmt.Sprintf("epoch %d/%d", epoch, c.epochs), train.Len())
		start := time.Now()
		loss := t.trainEpoch(train, bar.update)
		elapsed := time.Since(start)
		bar.finish()

		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("training diverged in epoch %d: the mean loss is %v; lower -lr", epoch, loss)
		}
		fmt.Fprintf(stdout, "epoch %d/%d: loss %.4f, test accuracy %s, %.0f samples/s, kernels %s\n",
			epoch, c.epochs, loss, formatAccuracy(evaluate(net, test)), float64(train.Len())/elapsed.Seconds(), kernels.Impl())
	}

	if c.save != "" {
		if err := mnist.SaveWeights(c.save, net); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved the weights to %s\n", c.save)
	}
	return nil
}

// buildNetwork returns the network of the flags: loaded from -load, or new
// with weights drawn from rng.
func buildNetwork(c *config, rng *rand.Rand) (*mlp.MLP, error) {
	sizes := slices.Concat([]int{mnist.Pixels}, c.hidden, []int{mnist.Classes})
	if c.load == "" {
		return mlp.NewMLP(sizes, c.act, rng), nil
	}

	net, err := mnist.LoadWeights(c.load)
	if err != nil {
		return nil, err
	}
	want := mlp.NewMLP(sizes, c.act, rand.New(rand.NewPCG(0, 0)))
	if got, expected := describeNetwork(net), describeNetwork(want); got != expected {
		return nil, fmt.Errorf("%s: the network %s does not match the flags, which describe %s; pass %s",
			c.load, got, expected, flagsFor(net))
	}
	for i, layer := range net.Layers[:len(net.Layers)-1] {
		if layer.Act != net.Layers[0].Act {
			return nil, fmt.Errorf("%s: hidden layer %d uses %s but layer 0 uses %s, and this command trains one activation only",
				c.load, i, layer.Act, net.Layers[0].Act)
		}
	}
	if last := net.Layers[len(net.Layers)-1]; last.Act != mlp.Linear {
		return nil, fmt.Errorf("%s: the output layer uses %s, expected linear (logits)", c.load, last.Act)
	}
	return net, nil
}

// describeNetwork returns the layer sizes and the hidden activation, such as
// "784-256-10 relu", or "784-10" without hidden layers.
func describeNetwork(net *mlp.MLP) string {
	sizes := []string{strconv.Itoa(net.Layers[0].In)}
	for _, layer := range net.Layers {
		sizes = append(sizes, strconv.Itoa(layer.Out))
	}
	description := strings.Join(sizes, "-")
	if len(net.Layers) > 1 {
		description += " " + net.Layers[0].Act.String()
	}
	return description
}

// flagsFor returns the -hidden and -act flags that describe net.
func flagsFor(net *mlp.MLP) string {
	var hidden []string
	for _, layer := range net.Layers[:len(net.Layers)-1] {
		hidden = append(hidden, strconv.Itoa(layer.Out))
	}
	return fmt.Sprintf("-hidden %q -act %s", strings.Join(hidden, ","), net.Layers[0].Act)
}

func countParameters(net *mlp.MLP) int {
	n := 0
	for _, layer := range net.Layers {
		n += len(layer.W) + len(layer.B)
	}
	return n
}

// trainer is the optimiser state and the buffers of one training run. Reusing
// the buffers means that a step allocates nothing after the first one.
type trainer struct {
	net       *mlp.MLP
	optimizer *mlp.SGD
	batch     int
	rng       *rand.Rand

	order  []int     // shuffled example indices of the current epoch
	x      []float32 // batch×Pixels input
	labels []int
	grad   []float32 // batch×Classes ∂L/∂logits
}

func newTrainer(net *mlp.MLP, c *config, rng *rand.Rand) *trainer {
	return &trainer{
		net:       net,
		optimizer: &mlp.SGD{LR: c.lr, Momentum: c.momentum},
		batch:     c.batch,
		rng:       rng,
		x:         make([]float32, c.batch*mnist.Pixels),
		labels:    make([]int, c.batch),
		grad:      make([]float32, c.batch*mnist.Classes),
	}
}

// trainEpoch runs one pass of mini-batch SGD over set in a fresh random
// order, reports the number of images done after each batch, and returns
// the mean training loss over the pass. The last batch is smaller when the
// batch size does not divide the set.
func (t *trainer) trainEpoch(set *mnist.Set, progress func(done int)) float64 {
	n := set.Len()
	if len(t.order) != n {
		t.order = make([]int, n)
	}
	for i := range t.order {
		t.order[i] = i
	}
	t.rng.Shuffle(n, func(i, j int) { t.order[i], t.order[j] = t.order[j], t.order[i] })

	var lossSum float64
	for start := 0; start < n; start += t.batch {
		indices := t.order[start:min(start+t.batch, n)]
		size := len(indices)
		x, labels, grad := t.x[:size*mnist.Pixels], t.labels[:size], t.grad[:size*mnist.Classes]
		for row, index := range indices {
			copy(x[row*mnist.Pixels:(row+1)*mnist.Pixels], set.Image(index))
			labels[row] = set.Labels[index]
		}

		logits := t.net.Forward(x, size)
		loss := mlp.SoftmaxCrossEntropy(grad, logits, labels, mnist.Classes)
		t.net.Backward(grad)
		t.optimizer.Step(t.net.Layers)

		lossSum += float64(loss) * float64(size)
		progress(start + size)
	}
	if n == 0 {
		return 0
	}
	return lossSum / float64(n)
}

// evaluate returns the fraction of set that net classifies correctly, the
// class being the largest logit.
func evaluate(net *mlp.MLP, set *mnist.Set) float64 {
	n := set.Len()
	if n == 0 {
		return math.NaN()
	}
	correct := 0
	for start := 0; start < n; start += evalBatch {
		size := min(evalBatch, n-start)
		logits := net.Forward(set.Images[start*mnist.Pixels:(start+size)*mnist.Pixels], size)
		for row := range size {
			scores := logits[row*mnist.Classes : (row+1)*mnist.Classes]
			if argmax(scores) == set.Labels[start+row] {
				correct++
			}
		}
	}
	return float64(correct) / float64(n)
}

// argmax returns the index of the largest value, the first one on ties.
func argmax(values []float32) int {
	best := 0
	for i, v := range values {
		if v > values[best] {
			best = i
		}
	}
	return best
}

func formatAccuracy(fraction float64) string {
	if math.IsNaN(fraction) {
		return "n/a (no test images)"
	}
	return fmt.Sprintf("%.2f%%", 100*fraction)
}

// isTerminal reports whether w is a character device, such as a terminal.
// NOTE: /dev/null is a character device too, so a bar is drawn there and
// discarded.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
