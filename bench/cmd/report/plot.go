package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot size and font sizes, in points; the SVG is drawn for a README
// column about 8 inches wide.
const (
	plotWidth     = 8 * vg.Inch
	plotHeight    = 5 * vg.Inch
	titleFontSize = 15
	labelFontSize = 13
	tickFontSize  = 12
)

// sansFont is Liberation Sans, which plot ships and whose metrics match
// Arial and Helvetica, so a viewer without it still lays the text out as
// plot measured it.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// writeGemmPlot draws the GFLOP/s of the square Gemm shapes whose n is a
// power of two against n, one line per implementation, as SVG, and returns
// an error if there are no such results. Odd sizes stay out of the plot,
// because their partial tiles make a line zigzag between neighbours such
// as 255 and 256; the tables show them.
func (r *results) writeGemmPlot(w io.Writer) error {
	g := r.collect(unitGFLOPs,
		func(b *benchmark) bool {
			s, ok := parseGemmShape(b.Params["shape"])
			if !ok || b.Top != "BenchmarkGemm" {
				return false
			}
			n, square := s.square()
			return square && n&(n-1) == 0
		},
		func(b *benchmark) string { return b.Params["shape"] })
	if len(g.rows) == 0 {
		return fmt.Errorf("no Gemm results of square power-of-two shapes to plot")
	}

	p := plot.New()
	setFonts(p)
	p.Title.Text = "float32 Gemm C = A·B, n×n matrices, one thread"
	if r.CPU != "" {
		p.Title.Text += "\n" + r.CPU
	}
	p.X.Label.Text = "matrix size n (elements per side, log₂ scale)"
	p.Y.Label.Text = "GFLOP/s (2n³ operations per product)"
	p.X.Scale = plot.LogScale{}
	p.Y.Min = 0
	p.Add(plotter.NewGrid())

	var sizes []int
	maxRate := 0.0
	for i, impl := range g.impls {
		var points plotter.XYs
		for _, row := range g.rows {
			v, ok := g.value(row, impl)
			if !ok {
				continue
			}
			s, _ := parseGemmShape(row)
			points = append(points, plotter.XY{X: float64(s.m), Y: v})
			maxRate = max(maxRate, v)
			if !slices.Contains(sizes, s.m) {
				sizes = append(sizes, s.m)
			}
		}
		slices.SortFunc(points, func(a, b plotter.XY) int { return int(a.X - b.X) })
		line, dots, err := plotter.NewLinePoints(points)
		if err != nil {
			return fmt.Errorf("plotting %s: %w", impl, err)
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(2)
		line.Dashes = plotutil.Dashes(i)
		dots.Color = plotutil.Color(i)
		dots.Shape = plotutil.Shape(i)
		dots.Radius = vg.Points(3.5)
		p.Add(line, dots)
		p.Legend.Add(displayName(impl), line, dots)
	}
	slices.Sort(sizes)
	p.X.Tick.Marker = powerOfTwoTicks(sizes)
	p.Y.Tick.Marker = plainTicks
	// Headroom above the highest point keeps the legend, at the top left,
	// clear of the lines.
	p.Y.Max = maxRate * 1.4
	p.X.Min = float64(sizes[0]) / math.Sqrt2
	p.X.Max = float64(sizes[len(sizes)-1]) * math.Sqrt2
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(8)
	p.Legend.ThumbnailWidth = vg.Points(36)

	canvas, err := p.WriterTo(plotWidth, plotHeight, "svg")
	if err != nil {
		return err
	}
	var svg bytes.Buffer
	if _, err := canvas.WriteTo(&svg); err != nil {
		return err
	}
	_, err = w.Write(addFontFallbacks(svg.Bytes()))
	return err
}

func setFonts(p *plot.Plot) {
	p.Title.TextStyle.Font = font.From(sansFont, titleFontSize)
	for _, axis := range []*plot.Axis{&p.X, &p.Y} {
		axis.Label.TextStyle.Font = font.From(sansFont, labelFontSize)
		axis.Tick.Label.Font = font.From(sansFont, tickFontSize)
	}
	p.Legend.TextStyle.Font = font.From(sansFont, labelFontSize)
}

// powerOfTwoTicks labels each size on the axis; the sizes are powers of
// two, so the log₂ axis reads at every doubling.
func powerOfTwoTicks(sizes []int) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for _, n := range sizes {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	return ticks
}

// plainTicks labels multiples of the smallest step of 1, 2 or 5 times a
// power of ten that gives at most eight labels from min to max. A label is
// the shortest exact decimal, "50" where plot.DefaultTicks writes "50.00",
// and a minor tick sits halfway between labels.
var plainTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	span := max - min
	if span <= 0 {
		return []plot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'f', -1, 64)}}
	}
	step := math.Pow(10, math.Floor(math.Log10(span/8)))
	for _, factor := range []float64{1, 2, 5, 10} {
		if span/(step*factor) <= 8 {
			step *= factor
			break
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(min / step * 2); i*step/2 <= max; i++ {
		value := i * step / 2
		if math.Mod(i, 2) == 0 {
			ticks = append(ticks, plot.Tick{Value: value, Label: strconv.FormatFloat(value, 'f', -1, 64)})
		} else {
			ticks = append(ticks, plot.Tick{Value: value})
		}
	}
	return ticks
})

// addFontFallbacks appends generic fallbacks to the SVG's font-family, so
// that a viewer without Liberation Sans picks a metric-compatible sans
// font instead of its default serif one. plot writes the family name
// alone, and embedding the font instead would add hundreds of kilobytes.
func addFontFallbacks(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}
