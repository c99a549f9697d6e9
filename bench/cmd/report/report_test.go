package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is go test -bench output with -count 3 for avx2 and one run of
// the rest, with the lines that the parser must skip, and the lines that
// the Python scripts print.
const sample = `goos: linux
goarch: amd64
pkg: github.com/simdgrad/simdgrad/bench
cpu: AMD EPYC 7B12
BenchmarkGemm/impl=avx2/shape=256x256x256         	    1000	   1000000 ns/op	        30.0 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=avx2/shape=256x256x256         	    1000	   1000000 ns/op	        34.0 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=avx2/shape=256x256x256         	    1000	   1000000 ns/op	        31.0 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=generic/shape=256x256x256      	     100	  10000000 ns/op	         5.00 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=gonum/shape=256x256x256        	     100	   8000000 ns/op	        10.0 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=openblas/shape=256x256x256     	    1000	   1000000 ns/op	        40.0 GFLOP/s
--- BENCH: BenchmarkGemm/impl=openblas/shape=256x256x256
    gemm_test.go:200: OpenBLAS through /usr/bin/python3: numpy 1.24.2
BenchmarkGemm/impl=avx2/shape=784x512x256-transA-2	     500	   2000000 ns/op	        28.0 GFLOP/s	       0 B/op	       0 allocs/op
BenchmarkGemm/impl=generic/shape=16x16x16         	 1000000	      1000 ns/op	         4.00 GFLOP/s
BenchmarkGemm/impl=avx2/shape=16x16x16            	 1000000	       500 ns/op	        12.0 GFLOP/s
BenchmarkReLU/impl=avx2/n=4096                    	 1000000	       300 ns/op	 54000 MB/s	        13.5 Gelem/s	       0 B/op	       0 allocs/op
BenchmarkReLU/impl=generic/n=4096                 	  200000	      1200 ns/op	 13500 MB/s	         3.40 Gelem/s	       0 B/op	       0 allocs/op
BenchmarkReLU/impl=avx2/n=16777216                	     100	  10000000 ns/op	 13400 MB/s	         1.68 Gelem/s	       0 B/op	       0 allocs/op
BenchmarkTrainingStep/impl=avx2                   	     200	   5000000 ns/op	     51200 samples/s	       200.0 steps/s	       0 B/op	       0 allocs/op
BenchmarkTrainingStep/impl=generic                	      50	  20000000 ns/op	     12800 samples/s	        50.0 steps/s	       0 B/op	       0 allocs/op
BenchmarkTrainingStep/impl=pytorch	29	6250000 ns/op	160.00 steps/s	40960 samples/s
PASS
ok  	github.com/simdgrad/simdgrad/bench	12.3s
`

func parseSample(t *testing.T) *results {
	t.Helper()
	r := newResults()
	require.NoError(t, r.parse(strings.NewReader(sample), "sample"))
	return r
}

func TestParseGroupsRuns(t *testing.T) {
	r := parseSample(t)
	b := r.lookup("BenchmarkGemm/impl=avx2/shape=256x256x256")
	require.NotNil(t, b)
	assert.Equal(t, "BenchmarkGemm", b.Top)
	assert.Equal(t, map[string]string{"impl": "avx2", "shape": "256x256x256"}, b.Params)
	assert.Equal(t, []float64{30, 34, 31}, b.Metrics["GFLOP/s"])
	median, ok := b.median("GFLOP/s")
	assert.True(t, ok)
	assert.Equal(t, 31.0, median)
	assert.Equal(t, "AMD EPYC 7B12", r.CPU)
	assert.Equal(t, 3, r.runs())
}

func TestParseStripsProcsSuffix(t *testing.T) {
	r := parseSample(t)
	b := r.lookup("BenchmarkGemm/impl=avx2/shape=784x512x256-transA")
	require.NotNil(t, b, "the -2 GOMAXPROCS suffix should be removed and -transA kept")
	assert.Equal(t, "784x512x256-transA", b.Params["shape"])
	assert.Equal(t, []string{"2"}, r.Procs)
}

func TestParseSkipsLogLines(t *testing.T) {
	r := parseSample(t)
	for _, b := range r.benchmarks {
		assert.NotContains(t, b.Name, "BENCH", "log header parsed as a result")
	}
	assert.Len(t, r.benchmarks, 13)
}

func TestParsePythonLine(t *testing.T) {
	r := parseSample(t)
	b := r.lookup("BenchmarkTrainingStep/impl=pytorch")
	require.NotNil(t, b)
	assert.Equal(t, []float64{160}, b.Metrics["steps/s"])
	assert.Equal(t, []float64{40960}, b.Metrics["samples/s"])
}

func TestParseRejectsMalformedLine(t *testing.T) {
	r := newResults()
	err := r.parse(strings.NewReader("BenchmarkX/impl=a 10 fast ns/op\n"), "bad.txt")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.txt:1")
	assert.Contains(t, err.Error(), `"fast"`)

	err = r.parse(strings.NewReader("\nBenchmarkX/impl=a 10 5 ns/op 7\n"), "odd.txt")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "odd.txt:2")
}

func TestMedianEvenCount(t *testing.T) {
	b := newBenchmark("BenchmarkX")
	b.Metrics["x"] = []float64{4, 1, 3, 2}
	median, ok := b.median("x")
	assert.True(t, ok)
	assert.Equal(t, 2.5, median)
	_, ok = b.median("missing")
	assert.False(t, ok)
}

func TestGemmTable(t *testing.T) {
	var md bytes.Buffer
	require.True(t, parseSample(t).writeGemmTable(&md))
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	require.Len(t, lines, 5, md.String())
	assert.Equal(t, "| shape (m×n×k) | avx2 | generic | gonum | OpenBLAS | avx2 / OpenBLAS | avx2 / gonum |", lines[0])
	assert.Equal(t, "|---|---:|---:|---:|---:|---:|---:|", lines[1])
	assert.Equal(t, "| 256×256×256 | 31.0 | 5.00 | 10.0 | 40.0 | 0.78× | 3.10× |", lines[2])
	assert.Equal(t, "| 784×512×256, Aᵀ | 28.0 | – | – | – | – | – |", lines[3])
	assert.Equal(t, "| 16×16×16 | 12.0 | 4.00 | – | – | – | – |", lines[4])
}

func TestElementwiseTable(t *testing.T) {
	var md bytes.Buffer
	require.True(t, parseSample(t).writeElementwiseTable(&md))
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	require.Len(t, lines, 4, md.String())
	assert.Equal(t, "| kernel | n | avx2 | generic | avx2 / generic |", lines[0])
	assert.Equal(t, "| ReLU | 4096 | 13.5 | 3.40 | 3.97× |", lines[2])
	assert.Equal(t, "| ReLU | 2^24 | 1.68 | – | – |", lines[3])
}

func TestTrainingTable(t *testing.T) {
	var md bytes.Buffer
	require.True(t, parseSample(t).writeTrainingTable(&md))
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	require.Len(t, lines, 5, md.String())
	assert.Equal(t, "| implementation | steps/s | samples/s | vs PyTorch |", lines[0])
	assert.Equal(t, "| avx2 | 200 | 51200 | 1.25× |", lines[2])
	assert.Equal(t, "| generic | 50.0 | 12800 | 0.31× |", lines[3])
	assert.Equal(t, "| PyTorch | 160 | 40960 | 1.00× |", lines[4])
}

func TestMarkdownPage(t *testing.T) {
	var md bytes.Buffer
	parseSample(t).writeMarkdown(&md, page{Date: "2025-01-31", Command: "make bench", Plot: "gemm.svg"})
	text := md.String()
	assert.Contains(t, text, "Measured on AMD EPYC 7B12 on 2025-01-31 with `make bench`. Each value is the median of 3 run(s)")
	assert.Contains(t, text, "Some Go benchmarks ran with GOMAXPROCS 2, and OpenBLAS")
	assert.Contains(t, text, "![Gemm GFLOP/s against square matrix size](gemm.svg)")
	for _, heading := range []string{"## Gemm", "## Elementwise kernels", "## Training step"} {
		assert.Contains(t, text, "\n"+heading+"\n")
	}
}

func TestMarkdownWithoutResults(t *testing.T) {
	r := newResults()
	require.NoError(t, r.parse(strings.NewReader("BenchmarkOther 10 5 ns/op\n"), "other"))
	var md bytes.Buffer
	r.writeMarkdown(&md, page{Date: "2025-01-31", Command: "make bench"})
	assert.Contains(t, md.String(), "No Gemm results.")
	assert.Contains(t, md.String(), "No elementwise results.")
	assert.Contains(t, md.String(), "No training-step results.")
	assert.NotContains(t, md.String(), "![")
	assert.Contains(t, md.String(), "Go code runs on one thread (GOMAXPROCS 1)")
}

func TestGemmPlotIsSVG(t *testing.T) {
	var svg bytes.Buffer
	require.NoError(t, parseSample(t).writeGemmPlot(&svg))

	decoder := xml.NewDecoder(bytes.NewReader(svg.Bytes()))
	var root string
	for {
		token, err := decoder.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the plot should be well-formed XML")
		if start, ok := token.(xml.StartElement); ok && root == "" {
			root = start.Name.Local
		}
	}
	assert.Equal(t, "svg", root)
	text := svg.String()
	for _, label := range []string{"avx2", "generic", "gonum", "OpenBLAS", "GFLOP/s", "log₂"} {
		assert.Contains(t, text, label)
	}
	assert.Contains(t, text, "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	assert.NotContains(t, text, "font-family:Liberation Sans;")
}

func TestGemmPlotWithoutSquareShapes(t *testing.T) {
	r := newResults()
	require.NoError(t, r.parse(strings.NewReader(
		"BenchmarkGemm/impl=avx2/shape=256x512x784 10 5 ns/op 3 GFLOP/s\n"), "rect"))
	assert.Error(t, r.writeGemmPlot(io.Discard))
}

func TestFormatSize(t *testing.T) {
	assert.Equal(t, "4096", formatSize("4096"))
	assert.Equal(t, "65536", formatSize("65536"))
	assert.Equal(t, "2^20", formatSize("1048576"))
	assert.Equal(t, "1000000", formatSize("1000000"))
	assert.Equal(t, "x", formatSize("x"))
}

func TestPlainTicks(t *testing.T) {
	var labels []string
	for _, tick := range plainTicks.Ticks(0, 70) {
		if tick.Label != "" {
			labels = append(labels, tick.Label)
		}
	}
	assert.Equal(t, []string{"0", "10", "20", "30", "40", "50", "60", "70"}, labels)

	labels = labels[:0]
	for _, tick := range plainTicks.Ticks(0, 2.2) {
		if tick.Label != "" {
			labels = append(labels, tick.Label)
		}
	}
	assert.Equal(t, []string{"0", "0.5", "1", "1.5", "2"}, labels)
}
