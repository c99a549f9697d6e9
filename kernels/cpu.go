package kernels

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// features records the CPU capabilities that the implementations need, read
// once from golang.org/x/sys/cpu, which already applies GODEBUG settings
// such as cpu.avx2=off. HasAVX2 and the AVX-512 flags include the check that
// the OS saves the wider registers; HasFMA does not, so FMA code is gated on
// AVX2 as well.
type features struct {
	avx2FMA bool // AVX2 and FMA3, with OS support for YMM state
	avx512  bool // AVX-512 F, VL, BW and DQ, with OS support for ZMM state
	neon    bool // Advanced SIMD, which every arm64 CPU has
}

var cpuFeatures = features{
	avx2FMA: cpu.X86.HasAVX2 && cpu.X86.HasFMA,
	avx512: cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F &&
		cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ,
	neon: runtime.GOARCH == "arm64",
}
