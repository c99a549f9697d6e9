//go:build !purego

package kernels

// archImplementations returns the amd64 assembly implementations, fastest
// first.
func archImplementations() []*implementation {
	return []*implementation{avx2Implementation}
}

// avx2Implementation runs the AVX2+FMA kernels: Gemm in gemm_amd64.go, the
// elementwise kernels in elementwise_amd64.go.
var avx2Implementation = &implementation{
	name:          "avx2",
	available:     cpuFeatures.avx2FMA,
	gemm:          gemmAVX2,
	relu:          reluAVX2Blocks,
	leakyReLU:     leakyReLUAVX2Blocks,
	sigmoid:       sigmoidAVX2Blocks,
	tanh:          tanhAVX2Blocks,
	reluGrad:      reluGradAVX2Blocks,
	leakyReLUGrad: leakyReLUGradAVX2Blocks,
	sigmoidGrad:   sigmoidGradAVX2Blocks,
	tanhGrad:      tanhGradAVX2Blocks,
	addBias:       addBiasAVX2,
	sumRows:       sumRowsAVX2,
}
