package mnist

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/simdgrad/simdgrad/mlp"
)

// The weight file format, version 1. Every number is little-endian.
//
//	magic      8 bytes  "\x89SGW\r\n\x1a\n"
//	version    uint32   1
//	layers     uint32   L, the number of Dense layers
//	sizes      uint32 × (L+1): the input size, then each layer's Out
//	per layer  uint8 name length, the activation name (as mlp.ParseActivation
//	           reads it), float32 LeakyReLU slope
//	per layer  float32 × In·Out: W, row-major; then float32 × Out: B
//	checksum   uint32   CRC-32 (IEEE) of every byte before it
//
// As in PNG, the first magic byte is not ASCII and the CR LF and SUB bytes
// reveal a transfer that rewrote line endings or stopped at an end-of-file
// character.
const (
	weightsMagic   = "\x89SGW\r\n\x1a\n"
	weightsVersion = 1
)

// Limits on what a weight file may declare, so that a corrupt header is
// reported before anything large is allocated.
const (
	maxLayers     = 1 << 10
	maxLayerSize  = 1 << 24
	maxParameters = 1 << 30
)

// SaveWeights writes the layer sizes, activations and parameters of m to
// path. It writes a temporary file in the same directory and renames it over
// path, so an interrupted save leaves any earlier file at path whole.
func SaveWeights(path string, m *mlp.MLP) (err error) {
	if err := checkNetwork(m); err != nil {
		return fmt.Errorf("mnist: saving %s: %w", path, err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("mnist: saving %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("mnist: saving %s: %w", path, err)
		}
	}()

	checksum := crc32.NewIEEE()
	w := bufio.NewWriter(io.MultiWriter(tmp, checksum))
	writeWeights(w, m)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := binary.Write(tmp, binary.LittleEndian, checksum.Sum32()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeWeights writes everything before the checksum. The caller's
// bufio.Writer keeps the first write error and returns it from Flush.
func writeWeights(w *bufio.Writer, m *mlp.MLP) {
	w.WriteString(weightsMagic)
	put32 := func(v uint32) {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], v)
		w.Write(b[:])
	}
	putFloats := func(values []float32) {
		for _, v := range values {
			put32(math.Float32bits(v))
		}
	}

	put32(weightsVersion)
	put32(uint32(len(m.Layers)))
	put32(uint32(m.Layers[0].In))
	for _, layer := range m.Layers {
		put32(uint32(layer.Out))
	}
	for _, layer := range m.Layers {
		name := layer.Act.String()
		w.WriteByte(byte(len(name)))
		w.WriteString(name)
		put32(math.Float32bits(layer.Slope))
	}
	for _, layer := range m.Layers {
		putFloats(layer.W)
		putFloats(layer.B)
	}
}

// checkNetwork returns why the file format cannot describe m, or nil.
func checkNetwork(m *mlp.MLP) error {
	if len(m.Layers) == 0 || len(m.Layers) > maxLayers {
		return fmt.Errorf("network has %d layers, expected 1 to %d", len(m.Layers), maxLayers)
	}
	for i, layer := range m.Layers {
		switch {
		case i > 0 && layer.In != m.Layers[i-1].Out:
			return fmt.Errorf("layer %d has %d inputs but layer %d has %d outputs", i, layer.In, i-1, m.Layers[i-1].Out)
		case layer.In <= 0 || layer.In > maxLayerSize || layer.Out <= 0 || layer.Out > maxLayerSize:
			return fmt.Errorf("layer %d is %d×%d, expected sizes 1 to %d", i, layer.In, layer.Out, maxLayerSize)
		case len(layer.W) != layer.In*layer.Out:
			return fmt.Errorf("layer %d has %d weights, expected %d×%d", i, len(layer.W), layer.In, layer.Out)
		case len(layer.B) != layer.Out:
			return fmt.Errorf("layer %d has %d biases, expected %d", i, len(layer.B), layer.Out)
		}
		if _, err := mlp.ParseActivation(layer.Act.String()); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return nil
}

// LoadWeights reads a network that SaveWeights wrote. It rejects a file
// with a wrong magic number, an unknown version, a truncated or overlong
// body or a checksum that does not match, and names path and the problem in
// the error.
func LoadWeights(path string) (*mlp.MLP, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	m, err := decodeWeights(data)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	return m, nil
}

func decodeWeights(data []byte) (*mlp.MLP, error) {
	if len(data) < len(weightsMagic) && weightsMagic[:len(data)] == string(data) {
		return nil, fmt.Errorf("truncated: expected at least %d bytes, got %d", len(weightsMagic), len(data))
	}
	if string(data[:min(len(data), len(weightsMagic))]) != weightsMagic {
		found := data[:min(len(data), len(weightsMagic))]
		return nil, fmt.Errorf("not a weight file: wrong magic number: expected % x, found % x", weightsMagic, found)
	}
	r := &byteReader{data: data, off: len(weightsMagic)}

	if version := r.uint32(); r.err == nil && version != weightsVersion {
		return nil, fmt.Errorf("unsupported version %d, expected %d", version, weightsVersion)
	}
	layerCount := int(r.uint32())
	if r.err == nil && (layerCount < 1 || layerCount > maxLayers) {
		return nil, fmt.Errorf("invalid header: %d layers, expected 1 to %d", layerCount, maxLayers)
	}
	sizes := make([]int, 0, layerCount+1)
	for i := 0; i <= layerCount && r.err == nil; i++ {
		size := int(r.uint32())
		if r.err == nil && (size < 1 || size > maxLayerSize) {
			return nil, fmt.Errorf("invalid header: size %d of layer %d, expected 1 to %d", size, i, maxLayerSize)
		}
		sizes = append(sizes, size)
	}
	layers := make([]*mlp.Dense, 0, layerCount)
	parameters := 0
	for i := 0; i < layerCount && r.err == nil; i++ {
		name := string(r.bytes(int(r.byte())))
		slope := math.Float32frombits(r.uint32())
		if r.err != nil {
			break
		}
		act, err := mlp.ParseActivation(name)
		if err != nil {
			return nil, fmt.Errorf("invalid header: layer %d: %w", i, err)
		}
		in, out := sizes[i], sizes[i+1]
		parameters += in*out + out
		if parameters > maxParameters {
			return nil, fmt.Errorf("invalid header: more than %d parameters", maxParameters)
		}
		layers = append(layers, &mlp.Dense{In: in, Out: out, Act: act, Slope: slope})
	}
	if r.err != nil {
		return nil, fmt.Errorf("truncated header: %w", r.err)
	}

	// The header fixes the size of the whole file.
	expected := r.off + 4*parameters + 4
	if len(data) < expected {
		return nil, fmt.Errorf("truncated: expected %d bytes, got %d", expected, len(data))
	}
	if len(data) > expected {
		return nil, fmt.Errorf("%d unexpected bytes after the checksum at offset %d", len(data)-expected, expected-4)
	}
	stored := binary.LittleEndian.Uint32(data[expected-4:])
	if computed := crc32.ChecksumIEEE(data[:expected-4]); computed != stored {
		return nil, fmt.Errorf("checksum mismatch: stored 0x%08x, computed 0x%08x, so the file is corrupt", stored, computed)
	}

	for _, layer := range layers {
		layer.W = r.floats(layer.In * layer.Out)
		layer.B = r.floats(layer.Out)
		layer.GradW = make([]float32, len(layer.W))
		layer.GradB = make([]float32, len(layer.B))
	}
	return &mlp.MLP{Layers: layers}, nil
}

// byteReader reads little-endian values from data. After the first read past
// the end it sets err and returns zeros.
type byteReader struct {
	data []byte
	off  int
	err  error
}

func (r *byteReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.data)-r.off {
		r.err = fmt.Errorf("expected %d bytes at offset %d, file has %d", n, r.off, len(r.data))
		return nil
	}
	b := r.data[r.off : r.off+n]
	r.off += n
	return b
}

func (r *byteReader) byte() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *byteReader) uint32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *byteReader) floats(n int) []float32 {
	b := r.bytes(4 * n)
	values := make([]float32, n)
	for i := range values {
		values[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return values
}
