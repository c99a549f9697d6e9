// Package generic holds the pure-Go reference kernels of simdgrad: the same
// functions, signatures and semantics as package kernels, built on every
// architecture. Package kernels falls back to them where it has no assembly,
// and the tests use them as the oracle for every faster path.
//
// Bad arguments panic before anything is written, with a message that
// starts with "generic:" and names the argument.
package generic
