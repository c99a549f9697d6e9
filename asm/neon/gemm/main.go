// Command gemm writes simdgrad's NEON Gemm microkernels for arm64: the
// assembly in kernels/gemm_neon_arm64.s and its Go declarations in
// kernels/gemm_neon_stubs_arm64.go. Both kernels follow the contract of the
// gemmMicrokernel struct in kernels/gemm_driver.go. Run it through go
// generate in this directory, or make generate at the top.
package main

//go:generate go run . -out ../../../kernels/gemm_neon_arm64.s -stubs ../../../kernels/gemm_neon_stubs_arm64.go -pkg kernels

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
		fmt.Fprintln(os.Stderr, "usage: gemm -out FILE.s -stubs FILE.go [-pkg NAME]")
		os.Exit(2)
	}

	f := &arm64.File{}
	packedKernel(f)
	stridedKernel(f)

	command := "go run . " + strings.Join(os.Args[1:], " ")
	asm, err := f.Assembly(command, constraint)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gemm:", err)
		os.Exit(1)
	}
	decls, err := f.Stubs(command, constraint, *pkg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gemm: formatting the declarations:", err)
		os.Exit(1)
	}
	for path, data := range map[string][]byte{*out: asm, *stubs: decls} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gemm:", err)
			os.Exit(1)
		}
	}
}
