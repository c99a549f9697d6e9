// Package asm holds simdgrad's assembly generators, one command per
// instruction set and kernel family. avx2/elementwise and avx2/gemm use avo
// to write the amd64 files in kernels/; neon/elementwise uses the emitter
// and encoder of neon/arm64, because avo writes amd64 only. It is a module
// of its own so that importers of the library never download avo. Run make
// generate at the top of the repository to rewrite every generated file.
package asm
