package mlp

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"

	"github.com/simdgrad/simdgrad/internal/workers"
	"github.com/simdgrad/simdgrad/kernels"
)

// SGD is stochastic gradient descent with momentum, as torch.optim.SGD
// computes it without dampening, Nesterov momentum or weight decay: for
// each parameter w with gradient g,
//
//	v = Momentum·v + g
//	w = w − LR·v
//
// where the velocity v starts at zero, so the first step moves w by −LR·g.
// With Momentum 0 this is plain gradient descent and SGD keeps no velocity.
//
// Step splits the update of networks of 16,384 parameters or more across
// up to kernels.MaxThreads goroutines: the caller and the helpers that
// Gemm uses. Each parameter is updated on its own, so the result does not depend
// on the split.
type SGD struct {
	LR, Momentum float32

	// velocity maps each layer that Step has updated with a non-zero
	// Momentum to its velocities.
	velocity map[*Dense]*velocity

	// job is the update of the last Step, kept so that Step allocates
	// nothing once its slices have grown.
	job sgdJob
}

// velocity is the momentum state of one Dense layer.
type velocity struct{ w, b []float32 }

// Step updates W and B of every layer from its GradW and GradB. The
// velocities are kept per layer, by pointer, and allocated the first time
// Step updates a layer, so later steps allocate nothing.
//
// A layer may appear more than once in layers, and layers may share their
// W or B (tied weights). Step then applies each entry in turn, in the
// order of layers, on the calling goroutine, so that the result is still
// the same for any number of threads.
//
// Step panics when LR or Momentum is negative or NaN, when a layer is nil
// and when a layer's GradW or GradB differs in length from its W or B.
func (o *SGD) Step(layers []*Dense) {
	if !(o.LR >= 0) {
		panic(fmt.Sprintf("mlp: LR %v is negative or NaN", o.LR))
	}
	if !(o.Momentum >= 0) {
		panic(fmt.Sprintf("mlp: Momentum %v is negative or NaN", o.Momentum))
	}
	for i, d := range layers {
		if d == nil {
			panic(fmt.Sprintf("mlp: layers[%d] is nil", i))
		}
		if len(d.GradW) != len(d.W) {
			panic(fmt.Sprintf("mlp: layers[%d]: len(GradW) %d != len(W) %d", i, len(d.GradW), len(d.W)))
		}
		if len(d.GradB) != len(d.B) {
			panic(fmt.Sprintf("mlp: layers[%d]: len(GradB) %d != len(B) %d", i, len(d.GradB), len(d.B)))
		}
	}

	job := &o.job
	job.lr, job.momentum = o.LR, o.Momentum
	job.params = job.params[:0]
	job.total = 0
	for _, d := range layers {
		var v velocity
		if o.Momentum != 0 {
			v = *o.velocityOf(d)
		}
		job.params = append(job.params, sgdParams{d.W, d.GradW, v.w}, sgdParams{d.B, d.GradB, v.b})
		job.total += len(d.W) + len(d.B)
	}
	limit := kernels.MaxThreads()
	parts := min(limit, job.total/sgdMinPart)
	if parts > 1 && job.overlapping() {
		// Two parts could update one parameter at once.
		parts = 1
	}
	team := workers.Reserve(parts-1, limit)
	job.parts = team.Size() + 1
	team.Run(job, job.parts)
	// Drop the layers' slices, which the idle job must not keep alive.
	clear(job.params)
}

// sgdMinPart is the least number of parameters that Step gives to one
// goroutine, so the update is split only from 2·sgdMinPart parameters.
//
// Measured with BenchmarkSGDStep on the 2-core Zen 2 machine, one goroutine
// against two, with momentum: 16,640 parameters 12.4 µs against 8.7,
// 33,024 parameters 23.9 against 14.1, 262,400 parameters 190 against 99.
// A helper that is still spinning after the last Gemm starts its part
// within about 2 µs, so the split wins from about 8,000 parameters per
// goroutine. A helper that has gone to sleep takes tens of microseconds to
// wake, and then the split gains little.
const sgdMinPart = 1 << 13

// sgdParams is one slice of parameters, their gradients and, with
// momentum, their velocities.
type sgdParams struct{ w, g, v []float32 }

// sgdJob is the update of the parameters of every layer, in parts of
// equal numbers of parameters: part i updates parameters i·total/parts up
// to (i+1)·total/parts of the slices in params, taken end to end.
type sgdJob struct {
	params       []sgdParams
	total, parts int
	lr, momentum float32
	spans        []sgdSpan // scratch space of overlapping
}

// sgdSpan is the memory of one slice, from its first byte up to the byte
// after its last.
type sgdSpan struct{ start, end uintptr }

// overlapping reports whether any two slices of params share memory, as
// when a layer appears twice or two layers share W. Go's garbage collector
// does not move heap objects, and these slices are on the heap, because
// params keeps them, so the addresses compared stay valid.
func (j *sgdJob) overlapping() bool {
	j.spans = j.spans[:0]
	for _, p := range j.params {
		for _, s := range [...][]float32{p.w, p.g, p.v} {
			if len(s) > 0 {
				start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
				j.spans = append(j.spans, sgdSpan{start, start + uintptr(len(s))*4})
			}
		}
	}
	slices.SortFunc(j.spans, func(a, b sgdSpan) int { return cmp.Compare(a.start, b.start) })
	// Sorted by start, spans overlap if and only if two neighbours do.
	for i := 1; i < len(j.spans); i++ {
		if j.spans[i].start < j.spans[i-1].end {
			return true
		}
	}
	return false
}

func (j *sgdJob) RunPart(i int) {
	lo, hi := i*j.total/j.parts, (i+1)*j.total/j.parts
	// start is the index of p.w[0] among all the parameters.
	start := 0
	for _, p := range j.params {
		from, to := max(lo-start, 0), min(hi-start, len(p.w))
		start += len(p.w)
		if from >= to {
			continue
		}
		if p.v == nil {
			descend(p.w[from:to], p.g[from:to], j.lr)
		} else {
			descendWithMomentum(p.w[from:to], p.g[from:to], p.v[from:to], j.lr, j.momentum)
		}
	}
}

// velocityOf returns the velocities of d, zero-filled on first use and
// replaced when d's parameters have changed size since.
func (o *SGD) velocityOf(d *Dense) *velocity {
	if o.velocity == nil {
		o.velocity = make(map[*Dense]*velocity)
	}
	v := o.velocity[d]
	if v == nil || len(v.w) != len(d.W) || len(v.b) != len(d.B) {
		v = &velocity{w: make([]float32, len(d.W)), b: make([]float32, len(d.B))}
		o.velocity[d] = v
	}
	return v
}

// descend sets w = w − lr·g.
func descend(w, g []float32, lr float32) {
	g = g[:len(w)]
	for i, gi := range g {
		w[i] -= lr * gi
	}
}

// descendWithMomentum sets v = momentum·v + g, then w = w − lr·v.
func descendWithMomentum(w, g, v []float32, lr, momentum float32) {
	g, v = g[:len(w)], v[:len(w)]
	for i, gi := range g {
		v[i] = momentum*v[i] + gi
		w[i] -= lr * v[i]
	}
}
