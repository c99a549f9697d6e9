//go:build !purego

package kernels

// archImplementations returns the arm64 assembly implementations, fastest
// first. None is built yet, so arm64 runs the generic kernels.
func archImplementations() []*implementation { return nil }
