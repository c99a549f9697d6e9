package conformance

import (
	"fmt"
	"slices"
)

// ElementwiseKernels returns the names of the elementwise kernels, as
// ElementwiseCase.Kernel takes them.
func ElementwiseKernels() []string {
	var names []string
	for _, e := range elementwiseKernels() {
		names = append(names, e.name)
	}
	return names
}

// ElementwiseCase is one call of an elementwise kernel with its slices in
// guarded buffers, which Check runs and checks. The fuzz targets of package
// kernels build their cases from it.
type ElementwiseCase struct {
	// Kernel is the function name, for example "ReLU" or "TanhGrad".
	Kernel string
	// Slope is the slope of LeakyReLU and LeakyReLUGrad.
	Slope float32
	// X is the forward input. A gradient kernel gets y = f(X), from the
	// oracle of this package rounded to float32, and DY, which must have
	// the length of X.
	X, DY []float32
	// OutOffset, InOffset (of x or dy) and YOffset, from 0 to 15, place
	// each slice that many elements after a 64-byte boundary.
	OutOffset, InOffset, YOffset int
	// InPlace passes the output slice as x or dy.
	InPlace bool
}

// Check runs the case on k and returns the output and an error that names
// the first element out of tolerance, a changed guard or a changed input.
func (c ElementwiseCase) Check(k Kernels) ([]float32, error) {
	i := slices.IndexFunc(elementwiseKernels(), func(e *elementwise) bool { return e.name == c.Kernel })
	if i < 0 {
		return nil, fmt.Errorf("conformance: unknown elementwise kernel %q; valid names are %v", c.Kernel, ElementwiseKernels())
	}
	for _, offset := range []int{c.OutOffset, c.InOffset, c.YOffset} {
		if offset < 0 || offset > maxOffset {
			return nil, fmt.Errorf("conformance: offset %d outside 0..%d", offset, maxOffset)
		}
	}
	e := elementwiseKernels()[i]
	call := elementwiseCall{outOffset: c.OutOffset, aOffset: c.InOffset, bOffset: c.YOffset,
		inPlace: c.InPlace, slope: c.Slope}
	if !e.grad {
		return e.run(k, call, c.X, nil)
	}
	if len(c.DY) != len(c.X) {
		return nil, fmt.Errorf("conformance: len(DY) %d != len(X) %d", len(c.DY), len(c.X))
	}
	y := make([]float32, len(c.X))
	for j, x := range c.X {
		y[j] = float32(e.forward(float64(x), float64(c.Slope)))
	}
	return e.run(k, call, c.DY, y)
}
