package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Units of the metrics that the tables show.
const (
	unitGFLOPs   = "GFLOP/s"
	unitElements = "Gelem/s"
	unitSteps    = "steps/s"
	unitSamples  = "samples/s"
)

// baselineRank orders the implementations that are not simdgrad's SIMD
// paths, which come first. The keys are impl= values of the benchmarks in
// bench/.
var baselineRank = map[string]int{
	"generic":  1,
	"naive":    2,
	"gonum":    3,
	"openblas": 4,
	"pytorch":  5,
}

// displayNames are the column headings of implementations whose impl=
// value is not how people write them.
var displayNames = map[string]string{
	"openblas": "OpenBLAS",
	"pytorch":  "PyTorch",
}

func displayName(impl string) string {
	if name, ok := displayNames[impl]; ok {
		return name
	}
	return impl
}

// isSIMDPath reports whether impl is one of simdgrad's assembly paths
// (avx2, avx512, neon), that is, none of the baselines.
func isSIMDPath(impl string) bool {
	_, baseline := baselineRank[impl]
	return !baseline
}

// sortImpls orders implementations: simdgrad's SIMD paths by name, then
// the baselines in baselineRank order.
func sortImpls(impls []string) {
	slices.SortStableFunc(impls, func(a, b string) int {
		ra, rb := baselineRank[a], baselineRank[b]
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
}

// oursImpls returns the implementations that the ratio columns compare
// with the baselines: the SIMD paths, or generic when no SIMD path ran.
func oursImpls(impls []string) []string {
	var ours []string
	for _, impl := range impls {
		if isSIMDPath(impl) {
			ours = append(ours, impl)
		}
	}
	if len(ours) == 0 && slices.Contains(impls, "generic") {
		ours = []string{"generic"}
	}
	return ours
}

// grid is the values of one metric by row and implementation, with the
// rows and implementations in display order.
type grid struct {
	rows   []string
	impls  []string
	values map[[2]string]float64 // by (row, impl)
}

func (g *grid) value(row, impl string) (float64, bool) {
	v, ok := g.values[[2]string{row, impl}]
	return v, ok
}

// collect returns the grid of the medians of unit over the benchmarks that
// keep selects, with the rows that rowOf names in their first-seen order.
func (r *results) collect(unit string, keep func(*benchmark) bool, rowOf func(*benchmark) string) *grid {
	g := &grid{values: make(map[[2]string]float64)}
	for _, b := range r.benchmarks {
		if !keep(b) {
			continue
		}
		v, ok := b.median(unit)
		if !ok {
			continue
		}
		row, impl := rowOf(b), b.Params["impl"]
		if !slices.Contains(g.rows, row) {
			g.rows = append(g.rows, row)
		}
		if !slices.Contains(g.impls, impl) {
			g.impls = append(g.impls, impl)
		}
		g.values[[2]string{row, impl}] = v
	}
	sortImpls(g.impls)
	return g
}

// formatRate formats a rate to about three significant digits.
func formatRate(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 0.1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// missing is the table cell of a value that was not measured.
const missing = "–"

func ratioCell(g *grid, row, numerator, denominator string) string {
	n, okN := g.value(row, numerator)
	d, okD := g.value(row, denominator)
	if !okN || !okD || d == 0 {
		return missing
	}
	return fmt.Sprintf("%.2f×", n/d)
}

// table writes a Markdown table.
func table(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	align := make([]string, len(header))
	align[0] = "---"
	for i := 1; i < len(align); i++ {
		align[i] = "---:"
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(align, "|"))
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}

// valueCells returns a row's value cells, one per implementation of g.
func valueCells(g *grid, row string) []string {
	var cells []string
	for _, impl := range g.impls {
		if v, ok := g.value(row, impl); ok {
			cells = append(cells, formatRate(v))
		} else {
			cells = append(cells, missing)
		}
	}
	return cells
}

func implHeaders(g *grid) []string {
	var headers []string
	for _, impl := range g.impls {
		headers = append(headers, displayName(impl))
	}
	return headers
}

// writeGemmTable writes the GFLOP/s of every Gemm shape and the ratios of
// simdgrad's paths to OpenBLAS and gonum, and reports whether there were
// any Gemm results.
func (r *results) writeGemmTable(w io.Writer) bool {
	g := r.collect(unitGFLOPs,
		func(b *benchmark) bool { return b.Top == "BenchmarkGemm" && b.Params["shape"] != "" },
		func(b *benchmark) string { return b.Params["shape"] })
	if len(g.rows) == 0 {
		return false
	}
	ours := oursImpls(g.impls)
	var baselines []string
	for _, baseline := range []string{"openblas", "gonum"} {
		if slices.Contains(g.impls, baseline) {
			baselines = append(baselines, baseline)
		}
	}

	header := append([]string{"shape (m×n×k)"}, implHeaders(g)...)
	for _, impl := range ours {
		for _, baseline := range baselines {
			header = append(header, displayName(impl)+" / "+displayName(baseline))
		}
	}
	var rows [][]string
	for _, row := range g.rows {
		label := row
		if s, ok := parseGemmShape(row); ok {
			label = s.String()
		}
		cells := append([]string{label}, valueCells(g, row)...)
		for _, impl := range ours {
			for _, baseline := range baselines {
				cells = append(cells, ratioCell(g, row, impl, baseline))
			}
		}
		rows = append(rows, cells)
	}
	table(w, header, rows)
	return true
}

// writeElementwiseTable writes the Gelem/s of every elementwise kernel and
// size, with the ratio of the first SIMD path to generic, and reports
// whether there were any elementwise results.
func (r *results) writeElementwiseTable(w io.Writer) bool {
	g := r.collect(unitElements,
		func(b *benchmark) bool { return b.Params["n"] != "" },
		func(b *benchmark) string {
			return strings.TrimPrefix(b.Top, "Benchmark") + "\x00" + b.Params["n"]
		})
	if len(g.rows) == 0 {
		return false
	}
	var ratio string
	if ours := oursImpls(g.impls); len(ours) > 0 && ours[0] != "generic" && slices.Contains(g.impls, "generic") {
		ratio = ours[0]
	}

	header := append([]string{"kernel", "n"}, implHeaders(g)...)
	if ratio != "" {
		header = append(header, displayName(ratio)+" / generic")
	}
	var rows [][]string
	for _, row := range g.rows {
		kernel, n, _ := strings.Cut(row, "\x00")
		cells := append([]string{kernel, formatSize(n)}, valueCells(g, row)...)
		if ratio != "" {
			cells = append(cells, ratioCell(g, row, ratio, "generic"))
		}
		rows = append(rows, cells)
	}
	table(w, header, rows)
	return true
}

// formatSize writes a power of two from 2^20 up as "2^20", and other sizes
// as they are.
func formatSize(n string) string {
	var v int
	if _, err := fmt.Sscan(n, &v); err != nil || v < 1<<20 || v&(v-1) != 0 {
		return n
	}
	exponent := 0
	for v > 1 {
		v >>= 1
		exponent++
	}
	return fmt.Sprintf("2^%d", exponent)
}

// writeTrainingTable writes steps/s and samples/s of each implementation of
// the training step, relative to PyTorch, and reports whether there were
// any training-step results.
func (r *results) writeTrainingTable(w io.Writer) bool {
	keep := func(b *benchmark) bool { return b.Top == "BenchmarkTrainingStep" && b.Params["impl"] != "" }
	rowOf := func(b *benchmark) string { return b.Params["impl"] }
	steps := r.collect(unitSteps, keep, rowOf)
	samples := r.collect(unitSamples, keep, rowOf)
	if len(steps.rows) == 0 {
		return false
	}
	impls := slices.Clone(steps.rows)
	sortImpls(impls)
	reference, hasReference := steps.value("pytorch", "pytorch")

	header := []string{"implementation", unitSteps, unitSamples}
	if hasReference {
		header = append(header, "vs PyTorch")
	}
	var rows [][]string
	for _, impl := range impls {
		s, _ := steps.value(impl, impl)
		cells := []string{displayName(impl), formatRate(s), missing}
		if v, ok := samples.value(impl, impl); ok {
			cells[2] = fmt.Sprintf("%.0f", v)
		}
		if hasReference {
			cells = append(cells, fmt.Sprintf("%.2f×", s/reference))
		}
		rows = append(rows, cells)
	}
	table(w, header, rows)
	return true
}

// runs returns the largest number of runs of any benchmark, which is the
// -count of the run.
func (r *results) runs() int {
	count := 0
	for _, b := range r.benchmarks {
		for _, values := range b.Metrics {
			count = max(count, len(values))
		}
	}
	return count
}

// page is the text of the Markdown page besides the tables.
type page struct {
	Date    string // when the benchmarks ran, e.g. "2025-01-31"
	Command string // the command that ran them, e.g. "make bench"
	Plot    string // the SVG plot's path relative to the page, or ""
}

// writeMarkdown writes the page with every table that has results.
func (r *results) writeMarkdown(w io.Writer, p page) {
	fmt.Fprintln(w, "# simdgrad benchmarks")
	fmt.Fprintln(w)
	cpu := r.CPU
	if cpu == "" {
		cpu = "an unnamed CPU"
	}
	threads := "Go code runs on one thread (GOMAXPROCS 1)"
	if len(r.Procs) > 0 {
		threads = "Some Go benchmarks ran with GOMAXPROCS " + strings.Join(r.Procs, ", ")
	}
	fmt.Fprintf(w, "Measured on %s on %s with `%s`. Each value is the median of %d run(s), "+
		"and higher is better. %s, and OpenBLAS and PyTorch are limited to one thread.\n",
		cpu, p.Date, p.Command, r.runs(), threads)

	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Gemm")
	fmt.Fprintln(w)
	if p.Plot != "" {
		fmt.Fprintf(w, "![Gemm GFLOP/s against square matrix size](%s)\n\n", p.Plot)
	}
	fmt.Fprintln(w, "GFLOP/s of C = op(A)·op(B), counting 2·m·n·k operations per product; "+
		"op(A) is m×k and op(B) k×n, and Aᵀ or Bᵀ marks the operand that is stored transposed.")
	fmt.Fprintln(w)
	if !r.writeGemmTable(w) {
		fmt.Fprintln(w, "No Gemm results.")
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Elementwise kernels")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Billions of elements per second (Gelem/s) at vector length n.")
	fmt.Fprintln(w)
	if !r.writeElementwiseTable(w) {
		fmt.Fprintln(w, "No elementwise results.")
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Training step")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "One step of training a 784-256-10 ReLU network on a batch of 256: forward, "+
		"softmax cross-entropy, backward and SGD with momentum 0.9.")
	fmt.Fprintln(w)
	if !r.writeTrainingTable(w) {
		fmt.Fprintln(w, "No training-step results.")
	}
}
