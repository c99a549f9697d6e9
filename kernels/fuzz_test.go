package kernels_test

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"testing"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/internal/conformance"
	"github.com/simdgrad/simdgrad/kernels"
	"github.com/stretchr/testify/require"
)

// maxFuzzSize bounds m, n and k of FuzzGemm, so that each input runs in
// well under a millisecond yet passes a 64-wide block and its edges.
const maxFuzzSize = 70

// maxFuzzLen bounds the length of the vectors of FuzzElementwise.
const maxFuzzLen = 300

// genericKernels returns the kernels of package generic for the suite's
// checks.
func genericKernels() conformance.Kernels {
	return conformance.Kernels{
		Name: "generic", Prefix: "generic",
		Gemm: generic.Gemm, ReLU: generic.ReLU, LeakyReLU: generic.LeakyReLU,
		Sigmoid: generic.Sigmoid, Tanh: generic.Tanh, ReLUGrad: generic.ReLUGrad,
		LeakyReLUGrad: generic.LeakyReLUGrad, SigmoidGrad: generic.SigmoidGrad,
		TanhGrad: generic.TanhGrad, AddBias: generic.AddBias, SumRows: generic.SumRows,
	}
}

// fuzzScalar maps a fuzzed alpha or beta to a finite value of magnitude at
// most 1000, so that no sum overflows float32 and every path's result stays
// within the tolerance of the float64 one. Zero stays zero.
func fuzzScalar(v float32) float32 {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return 1.5
	}
	if math.Abs(float64(v)) > 1000 {
		return float32(math.Mod(float64(v), 1000))
	}
	return v
}

// gemmValues turns fuzz data into matrix values. With raw set, each 4 bytes
// are the bits of a float32, and finite values above 2⁴⁰ in magnitude are
// scaled down so that no sum overflows; NaN and infinities stay. Otherwise
// each 2 bytes are a multiple of 1/4096 in [-8, 8). Empty data leaves the
// values to the case's seed.
func gemmValues(data []byte, raw bool) []float32 {
	var values []float32
	if raw {
		for ; len(data) >= 4; data = data[4:] {
			v := math.Float32frombits(binary.LittleEndian.Uint32(data))
			if a := math.Abs(float64(v)); a > 1<<40 && !math.IsInf(float64(v), 0) {
				v = float32(math.Copysign(math.Mod(a, 1<<40), float64(v)))
			}
			values = append(values, v)
		}
		return values
	}
	for ; len(data) >= 2; data = data[2:] {
		values = append(values, float32(int16(binary.LittleEndian.Uint16(data)))/4096)
	}
	return values
}

func seedOf(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

// FuzzGemm compares kernels.Gemm, whichever path is dispatched, with
// generic.Gemm and with the float64 result, on fuzzed shapes, transposes,
// scalars, layouts and values, with guards around every matrix.
func FuzzGemm(f *testing.F) {
	f.Add([]byte{}, uint8(3), uint8(5), uint8(7), uint8(0), uint32(0), float32(1), float32(0))
	f.Add([]byte("simdgrad"), uint8(17), uint8(33), uint8(9), uint8(1), uint32(0x12345), float32(-0.5), float32(1))
	f.Add([]byte{1, 2, 3, 4}, uint8(64), uint8(65), uint8(63), uint8(2), uint32(0xfedcb), float32(2.5), float32(-1.5))
	f.Add([]byte{0xff, 0x7f, 0, 0x80}, uint8(1), uint8(70), uint8(1), uint8(3), uint32(7), float32(1), float32(1))
	f.Add([]byte{}, uint8(0), uint8(9), uint8(4), uint8(0), uint32(0), float32(1), float32(0))
	f.Add([]byte{}, uint8(8), uint8(8), uint8(0), uint8(3), uint32(99), float32(1), float32(-1.5))
	f.Add([]byte{}, uint8(16), uint8(16), uint8(16), uint8(1), uint32(5), float32(0), float32(0))
	f.Add([]byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0x7f}, uint8(5), uint8(6), uint8(7), uint8(4|1), uint32(3), float32(1), float32(1))
	f.Add([]byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x80}, uint8(31), uint8(2), uint8(40), uint8(4|2), uint32(0x777), float32(-3), float32(0.5))
	// Subnormal results, whose rounding error alpha scales.
	f.Add([]byte("0000070\t000a"), uint8(39), uint8(4), uint8(7), uint8(71), uint32(0), float32(27), float32(-92))
	f.Fuzz(func(t *testing.T, data []byte, m, n, k, flags uint8, layout uint32, alpha, beta float32) {
		gc := conformance.GemmCase{
			TransA: flags&1 != 0, TransB: flags&2 != 0,
			M: int(m) % (maxFuzzSize + 1), N: int(n) % (maxFuzzSize + 1), K: int(k) % (maxFuzzSize + 1),
			Alpha: fuzzScalar(alpha), Beta: fuzzScalar(beta),
			SlackA: int(layout % 6), SlackB: int(layout / 6 % 6), SlackC: int(layout / 36 % 6),
			OffsetA: int(layout >> 8 % 16), OffsetB: int(layout >> 12 % 16), OffsetC: int(layout >> 16 % 16),
			Seed: seedOf(data), Values: gemmValues(data, flags&4 != 0),
		}
		got, err := gc.Check(kernels.Gemm)
		require.NoError(t, err, "kernels.Gemm (%s)", kernels.Impl())
		reference, err := gc.Check(generic.Gemm)
		require.NoError(t, err, "generic.Gemm")

		// Both are within bound of the float64 result, so within twice
		// bound of each other.
		want, bound := gc.Want()
		for e := range got {
			if math.IsNaN(want[e]) || math.IsInf(want[e], 0) {
				continue
			}
			require.LessOrEqualf(t, math.Abs(float64(got[e])-float64(reference[e])), 2*bound[e],
				"Gemm %v: C[%d][%d] = %g from kernels (%s), %g from generic",
				gc, e/gc.N, e%gc.N, got[e], kernels.Impl(), reference[e])
		}
	})
}

// elementwiseValues turns fuzz data into float32 values, 4 bytes each,
// every bit pattern included.
func elementwiseValues(data []byte) []float32 {
	var values []float32
	for ; len(data) >= 4 && len(values) < maxFuzzLen; data = data[4:] {
		values = append(values, math.Float32frombits(binary.LittleEndian.Uint32(data)))
	}
	return values
}

// FuzzElementwise compares each elementwise kernel of package kernels with
// generic and the float64 oracle on fuzzed values, slope, offsets and
// in-place use. Gradients get y = f(x) and dy from the values reversed.
func FuzzElementwise(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint16(0), false, float32(0.01))
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), uint8(1), uint16(0x123), true, float32(0.2))
	f.Add([]byte{0, 0, 0, 0x80, 0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff, 0, 0, 0, 0}, uint8(2), uint16(7), false, float32(0.01))
	f.Add([]byte{0xff, 0xff, 0x7f, 0x7f, 0xff, 0xff, 0x7f, 0xff, 1, 0, 0, 0, 0x66, 0x66, 0xb2, 0x42}, uint8(3), uint16(0xfff), true, float32(-0.5))
	f.Add([]byte("relu grad at zero and infinity"), uint8(4), uint16(0x0f0), false, float32(1.5))
	f.Add([]byte("leaky relu grad with a slope of zero"), uint8(5), uint16(0x00f), true, float32(0))
	f.Add([]byte("sigmoid grad: dy·y·(1−y) for saturated y"), uint8(6), uint16(0x321), false, float32(0.01))
	f.Add([]byte("tanh grad: dy·(1−y²) near |y| = 1, tails of 8 and 16"), uint8(7), uint16(0xabc), true, float32(0.01))
	f.Fuzz(func(t *testing.T, data []byte, kernel uint8, offsets uint16, inPlace bool, slope float32) {
		names := conformance.ElementwiseKernels()
		x := elementwiseValues(data)
		dy := make([]float32, len(x))
		for i, v := range x {
			dy[len(x)-1-i] = v
		}
		c := conformance.ElementwiseCase{
			Kernel: names[int(kernel)%len(names)], Slope: slope, X: x, DY: dy,
			OutOffset: int(offsets % 16), InOffset: int(offsets / 16 % 16), YOffset: int(offsets / 256 % 16),
			InPlace: inPlace,
		}
		got, err := c.Check(exported("kernels/" + kernels.Impl()))
		require.NoError(t, err, "kernels (%s)", kernels.Impl())
		_, err = c.Check(genericKernels())
		require.NoError(t, err, "generic")
		require.Len(t, got, len(x))
	})
}
