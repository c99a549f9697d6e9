// Package kernels provides the float32 kernels that training a neural
// network on the CPU spends its time in: matrix multiply with either operand
// transposed (Gemm), the forward activations, and the activation-derivative
// products dZ = dY ⊙ f′ (the Grad functions), which take the forward output
// y so that a layer need not keep its pre-activation.
//
// Each function dispatches to the fastest implementation that the CPU runs,
// chosen once at start-up; Impl reports the choice. The environment variable
// SIMDGRAD_KERNELS caps it (generic, avx2, avx512 or neon): a value the CPU
// cannot run falls back to the best one below it, and an unknown value
// panics at start-up. The generic implementation is the pure-Go code of
// package generic; building with -tags purego leaves only it.
//
// Matrices are row-major float32 slices with a leading dimension, as in
// CBLAS with row-major order. Arguments are checked before anything is
// written, and a bad one panics with a message that starts with "kernels:"
// and names it. Every function is safe for concurrent use and allocates
// nothing in steady state.
package kernels
