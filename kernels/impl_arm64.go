//go:build !purego

package kernels

import "github.com/simdgrad/simdgrad/generic"

// archImplementations returns the arm64 assembly implementations, fastest
// first.
func archImplementations() []*implementation {
	return []*implementation{neonImplementation}
}

// neonImplementation runs the NEON elementwise and row kernels of
// elementwise_arm64.go. Gemm is still the generic one on arm64.
var neonImplementation = &implementation{
	name:          "neon",
	available:     cpuFeatures.neon,
	gemm:          generic.Gemm,
	relu:          reluNEONBlocks,
	leakyReLU:     leakyReLUNEONBlocks,
	sigmoid:       sigmoidNEONBlocks,
	tanh:          tanhNEONBlocks,
	reluGrad:      reluGradNEONBlocks,
	leakyReLUGrad: leakyReLUGradNEONBlocks,
	sigmoidGrad:   sigmoidGradNEONBlocks,
	tanhGrad:      tanhGradNEONBlocks,
	addBias:       addBiasNEON,
	sumRows:       sumRowsNEON,
}
