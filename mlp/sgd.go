package mlp

import "fmt"

// SGD is stochastic gradient descent with momentum, as torch.optim.SGD
// computes it without dampening, Nesterov momentum or weight decay: for
// each parameter w with gradient g,
//
//	v = Momentum·v + g
//	w = w − LR·v
//
// where the velocity v starts at zero, so the first step moves w by −LR·g.
// With Momentum 0 this is plain gradient descent and SGD keeps no velocity.
type SGD struct {
	LR, Momentum float32

	// velocity maps each layer that Step has updated with a non-zero
	// Momentum to its velocities.
	velocity map[*Dense]*velocity
}

// velocity is the momentum state of one Dense layer.
type velocity struct{ w, b []float32 }

// Step updates W and B of every layer from its GradW and GradB. The
// velocities are kept per layer, by pointer, and allocated the first time
// Step updates a layer, so later steps allocate nothing. Step panics when LR
// or Momentum is negative or NaN and when a layer's GradW or GradB differs
// in length from its W or B.
func (o *SGD) Step(layers []*Dense) {
	if !(o.LR >= 0) {
		panic(fmt.Sprintf("mlp: LR %v is negative or NaN", o.LR))
	}
	if !(o.Momentum >= 0) {
		panic(fmt.Sprintf("mlp: Momentum %v is negative or NaN", o.Momentum))
	}
	for i, d := range layers {
		if len(d.GradW) != len(d.W) {
			panic(fmt.Sprintf("mlp: layers[%d]: len(GradW) %d != len(W) %d", i, len(d.GradW), len(d.W)))
		}
		if len(d.GradB) != len(d.B) {
			panic(fmt.Sprintf("mlp: layers[%d]: len(GradB) %d != len(B) %d", i, len(d.GradB), len(d.B)))
		}
	}

	for _, d := range layers {
		if o.Momentum == 0 {
			descend(d.W, d.GradW, o.LR)
			descend(d.B, d.GradB, o.LR)
			continue
		}
		v := o.velocityOf(d)
		descendWithMomentum(d.W, d.GradW, v.w, o.LR, o.Momentum)
		descendWithMomentum(d.B, d.GradB, v.b, o.LR, o.Momentum)
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
