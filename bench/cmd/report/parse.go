package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A benchmark is the measurements of one benchmark name, gathered over the
// -count repetitions and over every input.
type benchmark struct {
	// Name is the full name without the GOMAXPROCS suffix, e.g.
	// "BenchmarkGemm/impl=avx2/shape=256x256x256".
	Name string
	// Top is the top-level benchmark, e.g. "BenchmarkGemm".
	Top string
	// Params are the key=value elements of the sub-benchmark names, e.g.
	// impl=avx2 and shape=256x256x256.
	Params map[string]string
	// Metrics maps a unit, e.g. "GFLOP/s" or "ns/op", to one value per run.
	Metrics map[string][]float64
}

// median returns the median over the runs of the metric with the given
// unit, and false if no run reported it.
func (b *benchmark) median(unit string) (float64, bool) {
	values := slices.Clone(b.Metrics[unit])
	if len(values) == 0 {
		return 0, false
	}
	slices.Sort(values)
	mid := len(values) / 2
	if len(values)%2 == 1 {
		return values[mid], true
	}
	return (values[mid-1] + values[mid]) / 2, true
}

// results are the benchmarks of one or more `go test -bench` outputs in the
// order of their first line.
type results struct {
	benchmarks []*benchmark
	byName     map[string]*benchmark
	// CPU is the value of the first "cpu:" header line.
	CPU string
	// Procs are the GOMAXPROCS values of the names' "-P" suffixes; go test
	// writes none for 1.
	Procs []string
}

func newResults() *results {
	return &results{byName: make(map[string]*benchmark)}
}

// lookup returns the benchmark of the given name, without the GOMAXPROCS
// suffix, or nil.
func (r *results) lookup(name string) *benchmark {
	return r.byName[name]
}

// procsSuffix is the "-P" that go test appends to a benchmark name when
// GOMAXPROCS is not 1.
var procsSuffix = regexp.MustCompile(`-[0-9]+$`)

// parse reads `go test -bench` output and adds its benchmark lines to r.
// Lines that are not benchmark results, such as headers, logs, PASS and
// ok, are skipped. A line of a "Benchmark..." name and an iteration count
// must be well formed, or parse returns an error that names the input and
// line.
func (r *results) parse(input io.Reader, inputName string) error {
	scanner := bufio.NewScanner(input)
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for lineNumber := 1; scanner.Scan(); lineNumber++ {
		line := scanner.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok && r.CPU == "" {
			r.CPU = strings.TrimSpace(cpu)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			// A "--- BENCH:" log header or a benchmark's name printed
			// alone before its result (go test -v).
			continue
		}
		if err := r.addLine(fields); err != nil {
			return fmt.Errorf("%s:%d: %w", inputName, lineNumber, err)
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", inputName, err)
	}
	return nil
}

// addLine adds one result line, split into fields: the name, the iteration
// count, then value–unit pairs.
func (r *results) addLine(fields []string) error {
	if len(fields)%2 != 0 {
		return fmt.Errorf("benchmark line has %d fields, expected a name, an iteration count and value–unit pairs", len(fields))
	}
	name := fields[0]
	if suffix := procsSuffix.FindString(name); suffix != "" {
		name = strings.TrimSuffix(name, suffix)
		if procs := suffix[1:]; !slices.Contains(r.Procs, procs) {
			r.Procs = append(r.Procs, procs)
		}
	}
	b := r.byName[name]
	if b == nil {
		b = newBenchmark(name)
		r.byName[name] = b
		r.benchmarks = append(r.benchmarks, b)
	}
	for i := 2; i < len(fields); i += 2 {
		value, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return fmt.Errorf("invalid value %q of %s", fields[i], fields[i+1])
		}
		unit := fields[i+1]
		b.Metrics[unit] = append(b.Metrics[unit], value)
	}
	return nil
}

func newBenchmark(name string) *benchmark {
	elements := strings.Split(name, "/")
	b := &benchmark{
		Name:    name,
		Top:     elements[0],
		Params:  make(map[string]string),
		Metrics: make(map[string][]float64),
	}
	for _, e := range elements[1:] {
		if key, value, ok := strings.Cut(e, "="); ok {
			b.Params[key] = value
		}
	}
	return b
}

// gemmShape is a parsed shape name of BenchmarkGemm: "MxNxK" with optional
// "-transA" and "-transB" suffixes.
type gemmShape struct {
	m, n, k        int
	transA, transB bool
}

var shapePattern = regexp.MustCompile(`^([0-9]+)x([0-9]+)x([0-9]+)(-transA)?(-transB)?$`)

func parseGemmShape(name string) (gemmShape, bool) {
	match := shapePattern.FindStringSubmatch(name)
	if match == nil {
		return gemmShape{}, false
	}
	var s gemmShape
	s.m, _ = strconv.Atoi(match[1])
	s.n, _ = strconv.Atoi(match[2])
	s.k, _ = strconv.Atoi(match[3])
	s.transA = match[4] != ""
	s.transB = match[5] != ""
	return s, true
}

// square reports whether the shape is an n×n by n×n product without
// transposes, and its n.
func (s gemmShape) square() (int, bool) {
	return s.m, s.m == s.n && s.n == s.k && !s.transA && !s.transB
}

// String returns the shape for people, e.g. "784×512×256, Aᵀ".
func (s gemmShape) String() string {
	text := fmt.Sprintf("%d×%d×%d", s.m, s.n, s.k)
	if s.transA {
		text += ", Aᵀ"
	}
	if s.transB {
		text += ", Bᵀ"
	}
	return text
}
