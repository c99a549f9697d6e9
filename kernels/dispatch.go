package kernels

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/simdgrad/simdgrad/generic"
)

// implementation is one complete set of kernels. The exported functions
// check their arguments and then call the chosen set, so an implementation
// may assume valid arguments.
type implementation struct {
	name string

	// available reports whether this CPU and build can run the set.
	available bool

	gemm func(transA, transB bool, m, n, k int, alpha float32,
		a []float32, lda int, b []float32, ldb int,
		beta float32, c []float32, ldc int)
	relu          func(y, x []float32)
	leakyReLU     func(y, x []float32, slope float32)
	sigmoid       func(y, x []float32)
	tanh          func(y, x []float32)
	reluGrad      func(dx, dy, y []float32)
	leakyReLUGrad func(dx, dy, y []float32, slope float32)
	sigmoidGrad   func(dx, dy, y []float32)
	tanhGrad      func(dx, dy, y []float32)
	addBias       func(m, n int, bias []float32, c []float32, ldc int)
	sumRows       func(m, n int, a []float32, lda int, dst []float32)
}

// genericImplementation forwards to the pure-Go reference kernels. It is
// always available and is the last rung of every ladder.
var genericImplementation = &implementation{
	name:          "generic",
	available:     true,
	gemm:          generic.Gemm,
	relu:          generic.ReLU,
	leakyReLU:     generic.LeakyReLU,
	sigmoid:       generic.Sigmoid,
	tanh:          generic.Tanh,
	reluGrad:      generic.ReLUGrad,
	leakyReLUGrad: generic.LeakyReLUGrad,
	sigmoidGrad:   generic.SigmoidGrad,
	tanhGrad:      generic.TanhGrad,
	addBias:       generic.AddBias,
	sumRows:       generic.SumRows,
}

// ladders lists, for each architecture family, the implementation names from
// fastest to slowest. A cap allows the names at or below it on its ladder.
var ladders = [][]string{
	{"avx512", "avx2", "generic"},
	{"neon", "generic"},
}

// validNames is the value list of SIMDGRAD_KERNELS, in the order that the
// start-up panic prints it.
const validNames = "generic, avx2, avx512, neon"

// capEnv names the environment variable that caps the choice.
const capEnv = "SIMDGRAD_KERNELS"

// implementations holds every implementation built into this binary, fastest
// first. It is a variable initialiser, not an init function, so that it is
// complete before active is chosen.
var implementations = append(archImplementations(), genericImplementation)

// active is the implementation that the exported functions call.
var active = chooseImplementation(os.Getenv(capEnv))

// chooseImplementation returns the fastest available implementation that the
// cap allows; an empty cap allows all. It panics on a cap that names no
// implementation.
func chooseImplementation(limit string) *implementation {
	if limit != "" && !slices.Contains(strings.Split(validNames, ", "), limit) {
		panic(fmt.Sprintf("kernels: %s=%q is not one of %s", capEnv, limit, validNames))
	}
	for _, impl := range implementations {
		if impl.available && (limit == "" || allows(limit, impl.name)) {
			return impl
		}
	}
	return genericImplementation
}

// allows reports whether the cap limit permits the implementation called
// name: name is limit itself or below it on limit's ladder. A cap from
// another architecture's ladder therefore permits only generic here.
func allows(limit, name string) bool {
	for _, ladder := range ladders {
		for i, rung := range ladder {
			if rung != limit {
				continue
			}
			for _, lower := range ladder[i:] {
				if lower == name {
					return true
				}
			}
			return false
		}
	}
	return false
}

// Impl returns the name of the implementation that the kernels use:
// "avx512", "avx2", "neon" or "generic". It is chosen once, at start-up,
// from the CPU features that golang.org/x/sys/cpu reports (which honours
// GODEBUG settings such as cpu.avx512f=off) and the SIMDGRAD_KERNELS cap.
func Impl() string {
	return active.name
}
