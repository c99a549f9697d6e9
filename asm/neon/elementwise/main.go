// Command elementwise writes simdgrad's NEON elementwise and row kernels
// for arm64: the assembly in kernels/elementwise_neon_arm64.s and its Go
// declarations in kernels/elementwise_neon_stubs_arm64.go. Run it through
// go generate in this directory, or make generate at the top.
package main

//go:generate go run . -out ../../../kernels/elementwise_neon_arm64.s -stubs ../../../kernels/elementwise_neon_stubs_arm64.go -pkg kernels

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/simdgrad/simdgrad/asm/neon/arm64"
)

// constraint keeps the assembly and its declarations out of purego builds.
const constraint = "!purego"

func main() {
	out := flag.String("out", "", "path of the assembly file to write")
	stubs := flag.String("stubs", "", "path of the Go declarations to write")
	pkg := flag.String("pkg", "kernels", "package name of the Go declarations")
	flag.Parse()
	if *out == "" || *stubs == "" {
		fmt.Fprintln(os.Stderr, "usage: elementwise -out FILE.s -stubs FILE.go [-pkg NAME]")
		os.Exit(2)
	}

	f := &arm64.File{}
	for _, k := range kernels {
		elementwise(f, k)
	}
	addBiasRows(f)
	accumulateRows(f)

	command := "go run . " + strings.Join(os.Args[1:], " ")
	asm, err := f.Assembly(command, constraint)
	if err != nil {
		fmt.Fprintln(os.Stderr, "elementwise:", err)
		os.Exit(1)
	}
	decls, err := f.Stubs(command, constraint, *pkg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "elementwise: formatting the declarations:", err)
		os.Exit(1)
	}
	for path, data := range map[string][]byte{*out: asm, *stubs: decls} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "elementwise:", err)
			os.Exit(1)
		}
	}
}

// elementwiseKernel describes out[i] = f(inputs[0][i], ...) over float32
// slices of the length of the output.
type elementwiseKernel struct {
	name    string
	doc     []string
	output  string   // slice parameter written
	inputs  []string // slice parameters read, in signature order after output
	scalars []string // float32 parameters, broadcast before the loops
	// vectors and tables are the constants that body reads through k.
	vectors []constant
	tables  []laneTable
	// unroll is the number of vectors per main-loop iteration, or 0 for
	// defaultUnroll.
	unroll int
	body   func(b *block, k *constants, in []value) value
}

var (
	constOne     = f32("one", 1)
	constSignBit = u32("signbit", 0x80000000)
)

var kernels = []elementwiseKernel{
	{
		name: "reluNEON",
		doc: []string{
			"reluNEON sets y[i] = +0 where x[i] < 0 and y[i] = x[i] otherwise, for i < len(y),",
			"so that −0 and NaN pass through.",
		},
		output: "y",
		inputs: []string{"x"},
		body: func(b *block, k *constants, in []value) value {
			// A mask and BIC rather than FMAX with 0, which would turn −0
			// into +0.
			x := in[0]
			negative := b.temp()
			b.fcmltz(negative, x)
			b.bic(x, x, negative)
			return x
		},
	},
	{
		name: "leakyReLUNEON",
		doc: []string{
			"leakyReLUNEON sets y[i] = x[i] where x[i] > 0 and y[i] = slope·x[i] otherwise",
			"(so −0 and NaN are multiplied), for i < len(y).",
		},
		output:  "y",
		inputs:  []string{"x"},
		scalars: []string{"slope"},
		body: func(b *block, k *constants, in []value) value {
			x := in[0]
			positive := b.temp()
			b.fcmgtz(positive, x)
			scaled := b.temp()
			b.fmul(scaled, x, k.vector("slope"))
			b.bit(scaled, x, positive)
			return scaled
		},
	},
	{
		name: "reluGradNEON",
		doc: []string{
			"reluGradNEON sets dx[i] = +0 where y[i] ≤ 0 and dx[i] = dy[i] otherwise (y[i] > 0",
			"or NaN), for i < len(dx). It clears bits under a mask, so an Inf or NaN in dy",
			"does not reach an inactive unit.",
		},
		output: "dx",
		inputs: []string{"dy", "y"},
		body: func(b *block, k *constants, in []value) value {
			dy, y := in[0], in[1]
			inactive := b.temp()
			b.fcmlez(inactive, y)
			b.bic(dy, dy, inactive)
			return dy
		},
	},
	{
		name: "leakyReLUGradNEON",
		doc: []string{
			"leakyReLUGradNEON sets dx[i] = dy[i] where y[i] > 0 and dx[i] = slope·dy[i]",
			"otherwise (y[i] ≤ 0 or NaN), for i < len(dx).",
		},
		output:  "dx",
		inputs:  []string{"dy", "y"},
		scalars: []string{"slope"},
		body: func(b *block, k *constants, in []value) value {
			dy, y := in[0], in[1]
			positive := b.temp()
			b.fcmgtz(positive, y)
			scaled := b.temp()
			b.fmul(scaled, dy, k.vector("slope"))
			b.bit(scaled, dy, positive)
			return scaled
		},
	},
	{
		name: "sigmoidGradNEON",
		doc: []string{
			"sigmoidGradNEON sets dx[i] = (dy[i]·(1−y[i]))·y[i] for i < len(dx), rounding",
			"after each operation in that order, as package generic does.",
		},
		output:  "dx",
		inputs:  []string{"dy", "y"},
		vectors: []constant{constOne},
		body: func(b *block, k *constants, in []value) value {
			dy, y := in[0], in[1]
			t := b.temp()
			b.fsub(t, k.vector("one"), y)
			b.fmul(dy, dy, t)
			b.fmul(dy, dy, y)
			return dy
		},
	},
	{
		name: "tanhGradNEON",
		doc: []string{
			"tanhGradNEON sets dx[i] = dy[i]·(1−y[i]²) for i < len(dx). 1−y² is one fused",
			"multiply-subtract, so it keeps its precision as |y| approaches 1.",
		},
		output:  "dx",
		inputs:  []string{"dy", "y"},
		vectors: []constant{constOne},
		body: func(b *block, k *constants, in []value) value {
			dy, y := in[0], in[1]
			t := b.temp()
			b.mov(t, k.vector("one"))
			b.fmls(t, y, y)
			b.fmul(dy, dy, t)
			return dy
		},
	},
	{
		name: "sigmoidNEON",
		doc: []string{
			"sigmoidNEON sets y[i] = 1/(1+e^−x[i]) for i < len(y), within 4 ulp of the",
			"float64 result for every float32 input; see asm/neon/elementwise/exp.go.",
		},
		output:  "y",
		inputs:  []string{"x"},
		vectors: []constant{constSignBit, constSigmoidMin, constOne, constExponentBias},
		tables:  expTables,
		body:    sigmoidBody,
	},
	{
		name: "tanhNEON",
		doc: []string{
			"tanhNEON sets y[i] = tanh(x[i]) for i < len(y), within 4 ulp of the float64",
			"result for every float32 input; see asm/neon/elementwise/exp.go.",
		},
		output:  "y",
		inputs:  []string{"x"},
		vectors: []constant{constSignBit, constTanhMax, constOne, constTwo, constExponentBias},
		tables:  expTables,
		body:    tanhBody,
	},
}

// elementwise writes the function for e. Its arguments are out, inputs
// and scalars in that order; R0 walks the output, R1 and R2 the inputs,
// and R3 counts the elements left.
func elementwise(f *arm64.File, e elementwiseKernel) {
	params := []arm64.Param{{Name: e.output, Type: arm64.Float32Slice}}
	for _, name := range e.inputs {
		params = append(params, arm64.Param{Name: name, Type: arm64.Float32Slice})
	}
	for _, name := range e.scalars {
		params = append(params, arm64.Param{Name: name, Type: arm64.Float32})
	}
	fn := f.Func(e.name, params...)
	fn.Doc(append(e.doc, "The caller checks that every slice has len("+e.output+") elements.")...)

	out, count := arm64.R0, arm64.R3
	ins := []arm64.Reg{arm64.R1, arm64.R2}[:len(e.inputs)]
	fn.Emit(arm64.LoadArg(out, fn.Arg(e.output).Base()))
	for i, name := range e.inputs {
		fn.Emit(arm64.LoadArg(ins[i], fn.Arg(name).Base()))
	}
	fn.Emit(arm64.LoadArg(count, fn.Arg(e.output).Len()))

	var regs pool
	k := loadConstants(fn, &regs, e.scalars, e.vectors, e.tables)
	unroll := e.unroll
	if unroll == 0 {
		unroll = defaultUnroll
	}
	stream(fn, "", out, ins, count, unroll, regs, func(b *block, in []value) value {
		return e.body(b, k, in)
	})
	fn.Emit(arm64.RET())
}
