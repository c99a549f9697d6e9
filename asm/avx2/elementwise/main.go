// Command elementwise writes simdgrad's AVX2 elementwise kernels for amd64: the assembly in
// kernels/elementwise_avx2_amd64.s and its Go declarations in
// kernels/elementwise_avx2_stubs_amd64.go.
// Run it through go generate in this directory, or make generate at the top.
package main

//go:generate go run . -out ../../../kernels/elementwise_avx2_amd64.s -stubs ../../../kernels/elementwise_avx2_stubs_amd64.go -pkg kernels

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// VCMPPS predicates. The input under test is always the instruction's
// second source (the memory operand, first in Go's operand order), and +0
// the first, so each predicate is written as 0 ⋚ v.
const (
	// cmpLessOrdered is _CMP_LT_OQ: 0 < v, false for NaN.
	cmpLessOrdered = 0x11
	// cmpNotGreaterEqualUnordered is _CMP_NGE_UQ: !(0 ≥ v), true for NaN.
	cmpNotGreaterEqualUnordered = 0x19
)

func main() {
	ConstraintExpr("!purego")
	tailMasks = tailMaskTable()

	elementwise(elementwiseKernel{
		name:      "reluAVX2",
		doc:       []string{"reluAVX2 sets y[i] = max(0, x[i]) for i < len(y), keeping -0 and NaN."},
		inputs:    []string{"x"},
		output:    "y",
		registers: []vecConst{constZero},
		body: func(in []Op, out VecVirtual, k *constants) {
			// VMAXPS returns its second source when the first is not
			// greater, so max(0, x) keeps x for -0, +0 and NaN, and
			// gives +0 for every negative x.
			VMAXPS(in[0], k.zero(), out)
		},
	})

	elementwise(elementwiseKernel{
		name: "leakyReLUAVX2",
		doc: []string{
			"leakyReLUAVX2 sets y[i] = x[i] where x[i] > 0 and y[i] = slope·x[i] otherwise",
			"(so -0 and NaN are multiplied) for i < len(y).",
		},
		inputs:    []string{"x"},
		output:    "y",
		scalars:   []string{"slope"},
		registers: []vecConst{constZero},
		body: func(in []Op, out VecVirtual, k *constants) {
			x := toReg(in[0])
			positive := YMM()
			VCMPPS(U8(cmpLessOrdered), x, k.zero(), positive)
			scaled := YMM()
			VMULPS(x, k.scalar("slope"), scaled)
			VBLENDVPS(positive, x, scaled, out)
		},
	})

	elementwise(elementwiseKernel{
		name: "reluGradAVX2",
		doc: []string{
			"reluGradAVX2 sets dx[i] = dy[i] where y[i] > 0 or y[i] is NaN and dx[i] = +0",
			"otherwise, for i < len(dx). It selects with a mask, so dy's Inf and NaN",
			"do not reach inactive units.",
		},
		inputs:    []string{"dy", "y"},
		output:    "dx",
		registers: []vecConst{constZero},
		body: func(in []Op, out VecVirtual, k *constants) {
			active := YMM()
			VCMPPS(U8(cmpNotGreaterEqualUnordered), in[1], k.zero(), active)
			VANDPS(in[0], active, out)
		},
	})

	elementwise(elementwiseKernel{
		name: "leakyReLUGradAVX2",
		doc: []string{
			"leakyReLUGradAVX2 sets dx[i] = dy[i] where y[i] > 0 and dx[i] = slope·dy[i]",
			"otherwise (y[i] ≤ 0 or NaN), for i < len(dx).",
		},
		inputs:    []string{"dy", "y"},
		output:    "dx",
		scalars:   []string{"slope"},
		registers: []vecConst{constZero},
		body: func(in []Op, out VecVirtual, k *constants) {
			dy := toReg(in[0])
			positive := YMM()
			VCMPPS(U8(cmpLessOrdered), in[1], k.zero(), positive)
			scaled := YMM()
			VMULPS(dy, k.scalar("slope"), scaled)
			VBLENDVPS(positive, dy, scaled, out)
		},
	})

	elementwise(elementwiseKernel{
		name: "sigmoidGradAVX2",
		doc: []string{
			"sigmoidGradAVX2 sets dx[i] = (dy[i]·(1−y[i]))·y[i] for i < len(dx), rounding",
			"after each operation in that order, as package generic does.",
		},
		inputs:    []string{"dy", "y"},
		output:    "dx",
		registers: []vecConst{constOne},
		// Eight vectors per iteration measured about 5% faster than four
		// in L1 on Zen 2. This body has the longest dependency chain of
		// the short ones, three operations per vector.
		unroll: 8,
		body: func(in []Op, out VecVirtual, k *constants) {
			y := toReg(in[1])
			t := YMM()
			VSUBPS(y, k.register(constOne), t)
			VMULPS(in[0], t, t)
			VMULPS(y, t, out)
		},
	})

	elementwise(elementwiseKernel{
		name: "tanhGradAVX2",
		doc: []string{
			"tanhGradAVX2 sets dx[i] = dy[i]·(1−y[i]²) for i < len(dx). 1−y² is one fused",
			"multiply-add, so it does not lose precision as |y| approaches 1.",
		},
		inputs: []string{"dy", "y"},
		output: "dx",
		body: func(in []Op, out VecVirtual, k *constants) {
			t := copyToReg(in[1])
			VFNMADD213PS(vector(constOne), t, t)
			VMULPS(in[0], t, out)
		},
	})

	elementwise(elementwiseKernel{
		name: "sigmoidAVX2",
		doc: []string{
			"sigmoidAVX2 sets y[i] = 1/(1+e^−x[i]) for i < len(y), within 4 ulp of the",
			"float64 result for every float32 input; see asm/avx2/elementwise/exp.go.",
		},
		inputs:    []string{"x"},
		output:    "y",
		registers: []vecConst{constSigMin, constOne},
		unroll:    2,
		body:      sigmoidBody,
	})

	elementwise(elementwiseKernel{
		name: "tanhAVX2",
		doc: []string{
			"tanhAVX2 sets y[i] = tanh(x[i]) for i < len(y), within 4 ulp of the float64",
			"result for every float32 input; see asm/avx2/elementwise/exp.go.",
		},
		inputs:    []string{"x"},
		output:    "y",
		registers: []vecConst{constTanhMax},
		unroll:    2,
		body:      tanhBody,
	})

	addBiasRows()
	accumulateRows()

	Generate()
	if err := checkVEXRegisters(flag.Lookup("out").Value.String()); err != nil {
		fmt.Fprintln(os.Stderr, "elementwise:", err)
		os.Exit(1)
	}
}

// highRegister matches X16–X31 and Y16–Y31, the registers that only
// AVX-512 can encode.
var highRegister = regexp.MustCompile(`\b[XY](1[6-9]|2[0-9]|3[01])\b`)

// checkVEXRegisters returns an error when the generated assembly at path
// uses a register above 15. avo allocates from all 32 vector registers
// when a kernel needs more than 16 at once. The Go assembler then encodes
// those instructions with EVEX prefixes, which an AVX2-only CPU such as
// Zen 2 rejects with SIGILL. The fix is a smaller unroll or fewer
// register constants.
func checkVEXRegisters(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(src), "\n") {
		if highRegister.MatchString(line) {
			return fmt.Errorf("%s:%d uses a register that needs AVX-512: %s", path, i+1, strings.TrimSpace(line))
		}
	}
	return nil
}
