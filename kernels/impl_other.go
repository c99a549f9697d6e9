//go:build purego || !(amd64 || arm64)

package kernels

// archImplementations returns no assembly implementations: this build has
// only the generic one.
func archImplementations() []*implementation { return nil }
