package mnist

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeSet writes an image file and a label file of count 28×28 examples
// into dir under the given base names. Pixel j of image i is byte i+j, and
// label i is i mod 10.
func writeSet(t *testing.T, dir, imagesName, labelsName string, count int, compress bool) {
	t.Helper()
	pixels := make([]byte, count*Pixels)
	for i := range count {
		for j := range Pixels {
			pixels[i*Pixels+j] = byte(i + j)
		}
	}
	labels := make([]byte, count)
	for i := range labels {
		labels[i] = byte(i % Classes)
	}
	writeFile(t, dir, imagesName, idxBytes(ImagesMagic, []uint32{uint32(count), Rows, Cols}, pixels), compress)
	writeFile(t, dir, labelsName, idxBytes(LabelsMagic, []uint32{uint32(count)}, labels), compress)
}

func TestLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// The training files compressed with the .gz suffix, the test files
	// plain without it: Load accepts either per file.
	writeSet(t, dir, TrainImagesFile+".gz", TrainLabelsFile+".gz", 12, true)
	writeSet(t, dir, TestImagesFile, TestLabelsFile, 3, false)

	train, test, err := Load(dir)
	require.NoError(t, err)
	require.Equal(t, 12, train.Len())
	require.Equal(t, 3, test.Len())
	assert.Len(t, train.Images, 12*Pixels)
	assert.Len(t, test.Images, 3*Pixels)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, train.Labels)
	assert.Equal(t, []int{0, 1, 2}, test.Labels)

	image := train.Image(11)
	require.Len(t, image, Pixels)
	assert.InDelta(t, 11.0/255, float64(image[0]), 1e-7)
	assert.InDelta(t, float64((11+Pixels-1)%256)/255, float64(image[Pixels-1]), 1e-7)
}

func TestLoadGzipWithoutSuffix(t *testing.T) {
	// Compression is detected from the content, not the name.
	dir := t.TempDir()
	writeSet(t, dir, TrainImagesFile, TrainLabelsFile, 2, true)
	writeSet(t, dir, TestImagesFile+".gz", TestLabelsFile+".gz", 2, false)

	train, test, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, 2, train.Len())
	assert.Equal(t, 2, test.Len())
}

func TestLoadMissingFile(t *testing.T) {
	dir := t.TempDir()
	writeSet(t, dir, TrainImagesFile+".gz", TrainLabelsFile+".gz", 2, true)
	writeFile(t, dir, TestImagesFile+".gz", idxBytes(ImagesMagic, []uint32{0, Rows, Cols}, nil), true)

	_, _, err := Load(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.EqualError(t, err, "mnist: missing file "+filepath.Join(dir, TestLabelsFile+".gz")+
		" (also tried "+filepath.Join(dir, TestLabelsFile)+"): file does not exist")
}

func TestLoadMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	_, _, err := Load(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), filepath.Join(dir, TrainImagesFile+".gz"))
}

func TestLoadWrongImageSize(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, TrainImagesFile, idxBytes(ImagesMagic, []uint32{1, 27, 28}, make([]byte, 27*28)), false)
	writeFile(t, dir, TrainLabelsFile, idxBytes(LabelsMagic, []uint32{1}, []byte{4}), false)

	_, err := LoadSet(dir, TrainImagesFile, TrainLabelsFile)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": wrong dimensions: images are 27×28 pixels, expected 28×28")
}

func TestLoadCountMismatch(t *testing.T) {
	dir := t.TempDir()
	imagesPath := writeFile(t, dir, TrainImagesFile, idxBytes(ImagesMagic, []uint32{2, Rows, Cols}, make([]byte, 2*Pixels)), false)
	labelsPath := writeFile(t, dir, TrainLabelsFile, idxBytes(LabelsMagic, []uint32{3}, []byte{1, 2, 3}), false)

	_, err := LoadSet(dir, TrainImagesFile, TrainLabelsFile)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+imagesPath+" contains 2 images but "+labelsPath+" contains 3 labels")
}

func TestLoadBadLabelFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, TestImagesFile, idxBytes(ImagesMagic, []uint32{1, Rows, Cols}, make([]byte, Pixels)), false)
	path := writeFile(t, dir, TestLabelsFile+".gz", idxBytes(LabelsMagic, []uint32{1}, []byte{200}), true)

	_, err := LoadSet(dir, TestImagesFile, TestLabelsFile)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": label 200 at index 0 is out of range 0..9")
}

func TestSetHead(t *testing.T) {
	dir := t.TempDir()
	writeSet(t, dir, TrainImagesFile, TrainLabelsFile, 5, false)
	set, err := LoadSet(dir, TrainImagesFile, TrainLabelsFile)
	require.NoError(t, err)

	head := set.Head(2)
	assert.Equal(t, 2, head.Len())
	assert.Len(t, head.Images, 2*Pixels)
	assert.Equal(t, []int{0, 1}, head.Labels)
	assert.Same(t, set, set.Head(0), "0 means the whole set")
	assert.Same(t, set, set.Head(5))
	assert.Same(t, set, set.Head(50))
}

func TestLoadGoMNISTData(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 11 MB of MNIST files")
	}
	dir, err := DataDir()
	require.NoError(t, err)

	train, test, err := Load(dir)
	require.NoError(t, err)
	require.Equal(t, 60000, train.Len())
	require.Equal(t, 10000, test.Len())

	// The first training digit of MNIST is a 5 and the first test digit a 7.
	assert.Equal(t, 5, train.Labels[0])
	assert.Equal(t, 7, test.Labels[0])

	counts := make([]int, Classes)
	for _, label := range train.Labels {
		counts[label]++
	}
	for class, count := range counts {
		assert.Greater(t, count, 5000, "class %d", class)
	}
	minimum, maximum := float32(1), float32(0)
	for _, p := range train.Images {
		minimum, maximum = min(minimum, p), max(maximum, p)
	}
	assert.Equal(t, float32(0), minimum)
	assert.Equal(t, float32(1), maximum)
}
