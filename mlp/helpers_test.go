package mlp_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allActivations lists every Activation, for tests that cover each one.
var allActivations = []mlp.Activation{mlp.Linear, mlp.ReLU, mlp.LeakyReLU, mlp.Sigmoid, mlp.Tanh}

// number is the element type of the slices that the comparison helpers
// accept.
type number interface{ ~float32 | ~float64 }

// mismatches returns the indices at which got differs from want by more
// than atol + rtol·|want|. NaN in got never matches.
func mismatches[W, G number](want []W, got []G, atol, rtol float64) []int {
	var bad []int
	for i := range min(len(want), len(got)) {
		w, g := float64(want[i]), float64(got[i])
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			bad = append(bad, i)
		}
	}
	return bad
}

// assertClose checks that got has the length of want and that every element
// lies within atol + rtol·|want| of it, reporting up to ten mismatches.
func assertClose[W, G number](t testing.TB, name string, want []W, got []G, atol, rtol float64) bool {
	t.Helper()
	if !assert.Lenf(t, got, len(want), "%s: length", name) {
		return false
	}
	bad := mismatches(want, got, atol, rtol)
	for n, i := range bad {
		if n == 10 {
			t.Errorf("%s: %d more mismatches", name, len(bad)-n)
			break
		}
		t.Errorf("%s[%d] = %.9g, want %.9g (difference %.3g, tolerance %.3g)",
			name, i, float64(got[i]), float64(want[i]),
			math.Abs(float64(got[i])-float64(want[i])), atol+rtol*math.Abs(float64(want[i])))
	}
	return len(bad) == 0
}

// randomSlice returns n values drawn uniformly from [−scale, scale).
func randomSlice(rng *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(scale * (2*rng.Float64() - 1))
	}
	return s
}

// randomLabels returns n class labels in [0, classes).
func randomLabels(rng *rand.Rand, n, classes int) []int {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	return labels
}

func widen(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// fixtureFloats decodes a JSON array of decimal strings, each the shortest
// representation of a float32, into exactly those float32 values.
type fixtureFloats []float32

func (f *fixtureFloats) UnmarshalJSON(data []byte) error {
	var texts []string
	if err := json.Unmarshal(data, &texts); err != nil {
		return err
	}
	values := make([]float32, len(texts))
	for i, text := range texts {
		v, err := parseFloat32(text)
		if err != nil {
			return err
		}
		values[i] = v
	}
	*f = values
	return nil
}

// fixtureFloat is a single float32 stored as a decimal string.
type fixtureFloat float32

func (f *fixtureFloat) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	v, err := parseFloat32(text)
	*f = fixtureFloat(v)
	return err
}

func parseFloat32(text string) (float32, error) {
	v, err := strconv.ParseFloat(text, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid float32 %q in fixture: %w", text, err)
	}
	return float32(v), nil
}

// loadFixture decodes testdata/name, which testdata/make_fixtures.py
// writes, into fixture.
func loadFixture(t *testing.T, name string, fixture any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, fixture), "decoding testdata/%s", name)
}
