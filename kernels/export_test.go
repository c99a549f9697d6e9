package kernels

// Available returns the names of the implementations that this machine and
// build can run, fastest first.
func Available() []string {
	var names []string
	for _, impl := range implementations {
		if impl.available {
			names = append(names, impl.name)
		}
	}
	return names
}

// Use makes the exported functions call the implementation called name and
// returns a function that restores the previous one. It panics if the
// implementation is not available. Tests that call Use must not run in
// parallel with other tests of the package.
func Use(name string) (restore func()) {
	previous := active
	for _, impl := range implementations {
		if impl.name == name && impl.available {
			active = impl
			return func() { active = previous }
		}
	}
	panic("kernels: implementation " + name + " is not available")
}

// ChooseImplementation exposes the start-up choice for a given cap value.
func ChooseImplementation(limit string) string {
	return chooseImplementation(limit).name
}

// Registered returns the names of every implementation built into this
// binary, available or not, fastest first.
func Registered() []string {
	var names []string
	for _, impl := range implementations {
		names = append(names, impl.name)
	}
	return names
}

// Features is a copy of the CPU capabilities that dispatch reads.
type Features struct {
	AVX2FMA bool // AVX2 and FMA3, with OS support for YMM state
	AVX512  bool // AVX-512 F, VL, BW and DQ, with OS support for ZMM state
	NEON    bool // Advanced SIMD
}

// CPUFeatures returns the capabilities that dispatch read at start-up.
func CPUFeatures() Features {
	return Features{AVX2FMA: cpuFeatures.avx2FMA, AVX512: cpuFeatures.avx512, NEON: cpuFeatures.neon}
}

// ParseThreads exposes the parsing of SIMDGRAD_THREADS.
func ParseThreads(value string) int {
	return parseThreads(value)
}
