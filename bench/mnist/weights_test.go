package mnist

import (
	"encoding/binary"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdgrad/simdgrad/mlp"
)

// sampleNetwork returns a 5-4-3-2 network with LeakyReLU hidden layers, a
// non-default slope on the first layer and seeded random parameters.
func sampleNetwork() *mlp.MLP {
	m := mlp.NewMLP([]int{5, 4, 3, 2}, mlp.LeakyReLU, rand.New(rand.NewPCG(1, 2)))
	m.Layers[0].Slope = 0.2
	return m
}

// sampleFile saves sampleNetwork into a new directory and returns the path
// and the bytes of the file.
func sampleFile(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "net.weights")
	require.NoError(t, SaveWeights(path, sampleNetwork()))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, data
}

// sampleHeaderSize is the header length of sampleNetwork's file: magic,
// version, layer count, 4 sizes, then per layer a length byte, the name
// and the slope.
const sampleHeaderSize = 8 + 4 + 4 + 4*4 + 3*(1+len("leakyrelu")+4) - len("leakyrelu") + len("linear")

func TestWeightsRoundTrip(t *testing.T) {
	path, data := sampleFile(t)
	want := sampleNetwork()
	parameters := 5*4 + 4 + 4*3 + 3 + 3*2 + 2
	require.Equal(t, 71, sampleHeaderSize)
	assert.Len(t, data, sampleHeaderSize+4*parameters+4)
	assert.Len(t, data, 263)

	got, err := LoadWeights(path)
	require.NoError(t, err)
	require.Len(t, got.Layers, len(want.Layers))
	for i, layer := range got.Layers {
		w := want.Layers[i]
		assert.Equal(t, w.In, layer.In, "layer %d In", i)
		assert.Equal(t, w.Out, layer.Out, "layer %d Out", i)
		assert.Equal(t, w.Act, layer.Act, "layer %d Act", i)
		assert.Equal(t, w.Slope, layer.Slope, "layer %d Slope", i)
		assert.Equal(t, w.W, layer.W, "layer %d W", i)
		assert.Equal(t, w.B, layer.B, "layer %d B", i)
		assert.Len(t, layer.GradW, len(layer.W), "layer %d GradW", i)
		assert.Len(t, layer.GradB, len(layer.B), "layer %d GradB", i)
	}
	assert.Equal(t, mlp.Linear, got.Layers[2].Act)

	// The loaded network computes what the saved one does, and trains.
	x := []float32{0.1, -0.2, 0.3, -0.4, 0.5, 1, 0, -1, 0.5, 0.25}
	assert.Equal(t, want.Forward(x, 2), got.Forward(x, 2))
	grad := make([]float32, 2*2)
	mlp.SoftmaxCrossEntropy(grad, got.Forward(x, 2), []int{0, 1}, 2)
	got.Backward(grad)
	optimizer := &mlp.SGD{LR: 0.1, Momentum: 0.9}
	optimizer.Step(got.Layers)
}

func TestWeightsFileMode(t *testing.T) {
	path, _ := sampleFile(t)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), info.Mode().Perm())
}

func TestSaveWeightsLeavesNoTemporaryFile(t *testing.T) {
	path, _ := sampleFile(t)
	// Overwriting an existing file works too.
	require.NoError(t, SaveWeights(path, sampleNetwork()))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "net.weights", entries[0].Name())
}

func TestSaveWeightsMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent", "net.weights")
	err := SaveWeights(path, sampleNetwork())
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "mnist: saving "+path+": ")
}

func TestSaveWeightsInvalidNetwork(t *testing.T) {
	path := filepath.Join(t.TempDir(), "net.weights")

	err := SaveWeights(path, &mlp.MLP{})
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: saving "+path+": network has 0 layers, expected 1 to 1024")

	m := sampleNetwork()
	m.Layers = []*mlp.Dense{m.Layers[0], m.Layers[2]}
	err = SaveWeights(path, m)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: saving "+path+": layer 1 has 3 inputs but layer 0 has 4 outputs")

	m = sampleNetwork()
	m.Layers[1].B = m.Layers[1].B[:1]
	err = SaveWeights(path, m)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: saving "+path+": layer 1 has 1 biases, expected 3")

	assert.NoFileExists(t, path)
}

func TestLoadWeightsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.weights")
	_, err := LoadWeights(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
}

// loadModified writes data changed by modify over a copy of the sample file
// and returns the error of loading it.
func loadModified(t *testing.T, modify func(data []byte) []byte) (string, error) {
	t.Helper()
	path, data := sampleFile(t)
	require.NoError(t, os.WriteFile(path, modify(data), 0o644))
	_, err := LoadWeights(path)
	return path, err
}

func TestLoadWeightsWrongMagic(t *testing.T) {
	path, err := loadModified(t, func([]byte) []byte { return []byte("784,256,10 relu\n") })
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": not a weight file: wrong magic number: expected 89 53 47 57 0d 0a 1a 0a, found 37 38 34 2c 32 35 36 2c")
}

func TestLoadWeightsLineEndingsRewritten(t *testing.T) {
	// A text-mode transfer that turned CR LF into LF breaks the magic number.
	path, err := loadModified(t, func(data []byte) []byte {
		return append(append(data[:4:4], '\n'), data[6:]...)
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+": not a weight file: wrong magic number")
}

func TestLoadWeightsEmptyFile(t *testing.T) {
	path, err := loadModified(t, func([]byte) []byte { return nil })
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": truncated: expected at least 8 bytes, got 0")
}

func TestLoadWeightsUnsupportedVersion(t *testing.T) {
	path, err := loadModified(t, func(data []byte) []byte {
		binary.LittleEndian.PutUint32(data[8:], 2)
		return data
	})
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": unsupported version 2, expected 1")
}

func TestLoadWeightsInvalidLayerCount(t *testing.T) {
	path, err := loadModified(t, func(data []byte) []byte {
		binary.LittleEndian.PutUint32(data[12:], 0)
		return data
	})
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": invalid header: 0 layers, expected 1 to 1024")
}

func TestLoadWeightsInvalidSize(t *testing.T) {
	path, err := loadModified(t, func(data []byte) []byte {
		binary.LittleEndian.PutUint32(data[20:], 0)
		return data
	})
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": invalid header: size 0 of layer 1, expected 1 to 16777216")
}

func TestLoadWeightsUnknownActivation(t *testing.T) {
	path, err := loadModified(t, func(data []byte) []byte {
		// The first name starts after magic, version, count, 4 sizes
		// and its length byte.
		copy(data[8+4+4+16+1:], "leakyrelX")
		return data
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mnist: "+path+": invalid header: layer 0: mlp: invalid activation \"leakyrelX\"")
}

func TestLoadWeightsTruncated(t *testing.T) {
	_, data := sampleFile(t)
	for _, tc := range []struct {
		name    string
		length  int
		message string
	}{
		{"in sizes", 20, "truncated header: expected 4 bytes at offset 20, file has 20"},
		// The last name, "linear", starts at offset 61 of the 71-byte header.
		{"in names", 65, "truncated header: expected 6 bytes at offset 61, file has 65"},
		{"in parameters", sampleHeaderSize + 10, "truncated: expected 263 bytes, got 81"},
		{"without checksum", len(data) - 4, "truncated: expected 263 bytes, got 259"},
		{"in checksum", len(data) - 1, "truncated: expected 263 bytes, got 262"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, err := loadModified(t, func(data []byte) []byte { return data[:tc.length] })
			require.Error(t, err)
			assert.EqualError(t, err, "mnist: "+path+": "+tc.message)
		})
	}
}

func TestLoadWeightsTrailingBytes(t *testing.T) {
	path, err := loadModified(t, func(data []byte) []byte { return append(data, 0, 0) })
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": 2 unexpected bytes after the checksum at offset 259")
}

func TestLoadWeightsChecksumMismatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset func(data []byte) int
	}{
		{"slope", func([]byte) int { return 8 + 4 + 4 + 16 + 1 + len("leakyrelu") }},
		{"first weight", func([]byte) int { return sampleHeaderSize }},
		{"last bias", func(data []byte) int { return len(data) - 5 }},
		{"checksum", func(data []byte) int { return len(data) - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, err := loadModified(t, func(data []byte) []byte {
				data[tc.offset(data)] ^= 0x40
				return data
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "mnist: "+path+": checksum mismatch: stored 0x")
			assert.Contains(t, err.Error(), "so the file is corrupt")
		})
	}
}
