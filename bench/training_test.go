package bench

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
)

// The training step of BenchmarkTrainingStep: a 784-256-10 ReLU network on
// a batch of 256, as in mlp's BenchmarkTrainingStep and
// bench/pytorch/train_step.py.
var trainingSizes = []int{784, 256, 10}

const trainingBatch = 256

// BenchmarkTrainingStep times forward, SoftmaxCrossEntropy, backward and
// SGD with momentum 0.9, with mlp on the kernels path that this process
// chose (set SIMDGRAD_KERNELS=generic for the pure-Go one) and with PyTorch
// on one thread. Its metrics are those of mlp's BenchmarkTrainingStep.
func BenchmarkTrainingStep(b *testing.B) {
	b.Run("impl="+kernels.Impl(), benchmarkTrainingStep)
	b.Run("impl=pytorch", benchmarkPyTorchStep)
}

func benchmarkTrainingStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	classes := trainingSizes[len(trainingSizes)-1]
	net := mlp.NewMLP(trainingSizes, mlp.ReLU, rng)
	opt := &mlp.SGD{LR: 0.01, Momentum: 0.9}
	x := inputs(trainingBatch*trainingSizes[0], 6)
	labels := make([]int, trainingBatch)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	grad := make([]float32, trainingBatch*classes)
	step := func() {
		logits := net.Forward(x, trainingBatch)
		mlp.SoftmaxCrossEntropy(grad, logits, labels, classes)
		net.Backward(grad)
		opt.Step(net.Layers)
	}

	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
	reportSteps(b, b.Elapsed().Seconds()/float64(b.N))
}

// benchmarkPyTorchStep has train_step.py time b.N steps and reports the
// time that PyTorch measured, so that process start-up and the pipe do not
// count. It skips when /usr/bin/python3 or its torch is missing.
func benchmarkPyTorchStep(b *testing.B) {
	// The timer is stopped while the process starts, so that the seconds
	// of its start-up do not end the search for b.N at b.N = 1.
	b.StopTimer()
	proc := pytorch.process(b)
	b.StartTimer()
	ns, err := proc.time(strconv.Itoa(b.N))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ns/float64(b.N), "ns/op")
	reportSteps(b, ns/1e9/float64(b.N))
}

// reportSteps reports steps/s and samples/s, given the seconds one step
// took.
func reportSteps(b *testing.B, seconds float64) {
	b.ReportMetric(1/seconds, "steps/s")
	b.ReportMetric(trainingBatch/seconds, "samples/s")
}
