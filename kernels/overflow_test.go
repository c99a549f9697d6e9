package kernels_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdgrad/simdgrad/kernels"
)

// TestHugeLeadingDimensionPanics checks that a leading dimension whose span
// overflows an int fails the length check with a kernels message, before
// anything is written, instead of wrapping to a small span.
func TestHugeLeadingDimensionPanics(t *testing.T) {
	// huge makes (rows−1)·ld overflow an int on 32-bit and 64-bit targets.
	const huge = math.MaxInt/2 + 8
	want := func(name string, length int) string {
		return "kernels: len(" + name + ") " + strconv.Itoa(length) + " < " + strconv.Itoa(math.MaxInt)
	}
	for _, name := range kernels.Available() {
		t.Run(name, func(t *testing.T) {
			restore := kernels.Use(name)
			defer restore()

			back := make([]float32, 32)
			c := back[:8]
			require.PanicsWithValue(t, want("c", 8), func() {
				kernels.AddBias(3, 2, []float32{1, 1}, c, huge)
			})
			require.PanicsWithValue(t, want("a", 8), func() {
				kernels.SumRows(3, 2, back[:8], huge, make([]float32, 2))
			})
			require.PanicsWithValue(t, want("a", 4), func() {
				kernels.Gemm(false, false, 4, 2, 2, 1, back[:4], huge, back[:4], 2, 0, c, 2)
			})
			require.PanicsWithValue(t, want("c", 8), func() {
				kernels.Gemm(false, false, 3, 2, 2, 1, back[:6], 2, back[:4], 2, 0, c, huge)
			})
			require.Equal(t, make([]float32, 32), back, "no element may be written")
		})
	}
}
