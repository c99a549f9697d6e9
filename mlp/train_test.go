package mlp_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simdgrad/simdgrad/internal/alloccount"
	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
)

// trainingProblem is a network with one batch of inputs, labels and
// regression targets, and what a training step needs besides.
type trainingProblem struct {
	net    *mlp.MLP
	opt    *mlp.SGD
	x      []float32
	labels []int
	target []float32
	grad   []float32
	batch  int
}

func newTrainingProblem(sizes []int, act mlp.Activation, batch int) *trainingProblem {
	rng := rand.New(rand.NewPCG(11, 12))
	classes := sizes[len(sizes)-1]
	return &trainingProblem{
		net:    mlp.NewMLP(sizes, act, rng),
		opt:    &mlp.SGD{LR: 0.01, Momentum: 0.9},
		x:      randomSlice(rng, batch*sizes[0], 1),
		labels: randomLabels(rng, batch, classes),
		target: randomSlice(rng, batch*classes, 1),
		grad:   make([]float32, batch*classes),
		batch:  batch,
	}
}

// step runs forward, the loss, backward and an SGD step on the first batch
// rows, and returns the loss.
func (p *trainingProblem) step(batch int, useMSE bool) float32 {
	classes := len(p.grad) / p.batch
	x := p.x[:batch*len(p.x)/p.batch]
	grad := p.grad[:batch*classes]

	out := p.net.Forward(x, batch)
	var loss float32
	if useMSE {
		loss = mlp.MSE(grad, out, p.target[:batch*classes])
	} else {
		loss = mlp.SoftmaxCrossEntropy(grad, out, p.labels[:batch], classes)
	}
	p.net.Backward(grad)
	p.opt.Step(p.net.Layers)
	return loss
}

func TestTrainingStepAllocatesNothing(t *testing.T) {
	for _, act := range allActivations {
		for _, useMSE := range []bool{false, true} {
			lossName := "SoftmaxCrossEntropy"
			if useMSE {
				lossName = "MSE"
			}
			t.Run(act.String()+"/"+lossName, func(t *testing.T) {
				p := newTrainingProblem([]int{20, 16, 12, 3}, act, 8)
				p.step(8, useMSE)
				assert.Zero(t, testing.AllocsPerRun(20, func() { p.step(8, useMSE) }), "batch 8")
				// A smaller last batch of an epoch reuses the buffers.
				assert.Zero(t, testing.AllocsPerRun(20, func() { p.step(5, useMSE) }), "batch 5")
			})
		}
	}
}

// TestTrainingStepThreadsAllocateNothing checks a warm training step whose
// products and SGD update split across two goroutines. It counts with
// alloccount, because testing.AllocsPerRun would set GOMAXPROCS to 1 and so
// keep the step on one goroutine. A helper goes to sleep when the machine
// is so busy that it waits over a millisecond, and waking it may allocate a
// 112-byte sudog inside the runtime. So the test allows fewer allocations
// than steps, and fewer bytes than one set of packing buffers.
func TestTrainingStepThreadsAllocateNothing(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs for a two-goroutine step; this machine has 1")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer kernels.SetMaxThreads(kernels.SetMaxThreads(2))
	if kernels.MaxThreads() < 2 {
		t.Skipf("the %s implementation runs on one goroutine", kernels.Impl())
	}
	const batch, steps = 64, 20
	p := newTrainingProblem([]int{784, 256, 10}, mlp.ReLU, batch)
	// A helper that wakes from sleep may start only after the caller has
	// returned its packing buffers, and reuse them. Once the helpers are
	// awake, both goroutines hold buffers at once, and the free list lends
	// a second set, once.
	for range 10 {
		p.step(batch, false)
	}
	mallocs, bytes := alloccount.During(func() {
		for range steps {
			p.step(batch, false)
		}
	})
	assert.Less(t, mallocs, uint64(steps), "allocations in %d warm steps", steps)
	assert.Less(t, bytes, uint64(16<<10), "bytes allocated in %d warm steps", steps)
}

// TestTrainingReducesLoss fits one fixed batch, which any working forward,
// backward and optimiser should do, for each activation.
func TestTrainingReducesLoss(t *testing.T) {
	for _, act := range allActivations {
		t.Run(act.String(), func(t *testing.T) {
			p := newTrainingProblem([]int{10, 16, 4}, act, 16)
			p.opt.LR = 0.1
			first := p.step(16, false)
			var last float32
			for range 200 {
				last = p.step(16, false)
			}
			assert.Less(t, last, first/2, "loss after 200 steps, from %v", first)
		})
	}
}

// BenchmarkTrainingStep times a step of training 784-256-10 with ReLU on a
// batch of 256 MNIST-sized inputs: forward, SoftmaxCrossEntropy, backward
// and SGD with momentum.
func BenchmarkTrainingStep(b *testing.B) {
	const batch = 256
	p := newTrainingProblem([]int{784, 256, 10}, mlp.ReLU, batch)
	p.step(batch, false)
	b.ReportAllocs()
	for b.Loop() {
		p.step(batch, false)
	}
	seconds := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/seconds, "steps/s")
	b.ReportMetric(float64(b.N*batch)/seconds, "samples/s")
}
