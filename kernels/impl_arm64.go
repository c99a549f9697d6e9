//go:build !purego

package kernels

// archImplementations returns the arm64 assembly implementations, fastest
// first.
func archImplementations() []*implementation {
	return []*implementation{neonImplementation}
}

// neonImplementation runs the NEON elementwise and row kernels of
// elementwise_arm64.go. Gemm is the shared driver with the
// 8×12 NEON microkernel of gemm_arm64.go.
var neonImplementation = &implementation{
	name:          "neon",
	available:     cpuFeatures.neon,
	gemm:          gemmNEON,
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
