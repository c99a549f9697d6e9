// Command report renders `go test -bench` output of the bench module as a
// Markdown page of tables and an SVG plot of Gemm throughput.
//
//	go run ./cmd/report -md results/benchmarks.md -svg results/gemm.svg results/raw.txt
//
// It reads the files named on the command line, or standard input when
// there are none: lines such as
//
//	BenchmarkGemm/impl=avx2/shape=512x512x512   100  1234 ns/op  85.1 GFLOP/s
//
// from go test, and the same format from bench/openblas/sgemm.py and
// bench/pytorch/train_step.py. Results are grouped by name, that is, by
// benchmark, impl= and shape= or n=, and each table shows the median over
// the -count repetitions.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	mdPath := flag.String("md", "", "write the Markdown tables to this `file` (default standard output)")
	svgPath := flag.String("svg", "", "write the SVG plot of Gemm GFLOP/s to this `file` (default: no plot)")
	date := flag.String("date", time.Now().UTC().Format(time.DateOnly), "the `date` of the run that the page states")
	command := flag.String("command", "make bench", "the `command` that the page states produced the results")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: report [flags] [go-test-bench-output...]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if err := run(flag.Args(), *mdPath, *svgPath, page{Date: *date, Command: *command}); err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
}

func run(inputs []string, mdPath, svgPath string, p page) error {
	r := newResults()
	if len(inputs) == 0 {
		if err := r.parse(os.Stdin, "standard input"); err != nil {
			return err
		}
	}
	for _, name := range inputs {
		if err := parseFile(r, name); err != nil {
			return err
		}
	}
	if len(r.benchmarks) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}

	if svgPath != "" {
		var svg bytes.Buffer
		if err := r.writeGemmPlot(&svg); err != nil {
			return err
		}
		if err := os.WriteFile(svgPath, svg.Bytes(), 0o644); err != nil {
			return err
		}
		if mdPath != "" {
			if rel, err := filepath.Rel(filepath.Dir(mdPath), svgPath); err == nil {
				p.Plot = filepath.ToSlash(rel)
			}
		}
	}

	var md bytes.Buffer
	r.writeMarkdown(&md, p)
	if mdPath == "" {
		_, err := io.Copy(os.Stdout, &md)
		return err
	}
	return os.WriteFile(mdPath, md.Bytes(), 0o644)
}

func parseFile(r *results, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return r.parse(f, name)
}
