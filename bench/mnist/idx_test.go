package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idxBytes encodes an IDX file: the magic number, the sizes and the body.
func idxBytes(magic uint32, dims []uint32, body []byte) []byte {
	var buf bytes.Buffer
	_ = binary.Write(&buf, binary.BigEndian, magic)
	_ = binary.Write(&buf, binary.BigEndian, dims)
	buf.Write(body)
	return buf.Bytes()
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// writeFile writes data to name in dir, gzip-compressed when compress is
// set, and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte, compress bool) string {
	t.Helper()
	if compress {
		data = gzipBytes(t, data)
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// encodings runs f once on plain files and once on gzip-compressed ones.
func encodings(t *testing.T, f func(t *testing.T, compress bool)) {
	t.Run("plain", func(t *testing.T) { f(t, false) })
	t.Run("gzip", func(t *testing.T) { f(t, true) })
}

func TestReadImagesRoundTrip(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		body := []byte{0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6}
		path := writeFile(t, t.TempDir(), "images", idxBytes(ImagesMagic, []uint32{2, 2, 3}, body), compress)

		images, err := ReadImages(path)
		require.NoError(t, err)
		assert.Equal(t, 2, images.Count)
		assert.Equal(t, 2, images.Rows)
		assert.Equal(t, 3, images.Cols)
		require.Len(t, images.Pixels, len(body))
		for i, b := range body {
			assert.InDelta(t, float64(b)/255, float64(images.Pixels[i]), 1e-7, "pixel %d", i)
		}
		assert.Equal(t, float32(0), images.Pixels[0])
		assert.Equal(t, float32(1), images.Pixels[1])
	})
}

func TestReadLabelsRoundTrip(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		body := []byte{0, 9, 3, 7, 1}
		path := writeFile(t, t.TempDir(), "labels", idxBytes(LabelsMagic, []uint32{5}, body), compress)

		labels, err := ReadLabels(path)
		require.NoError(t, err)
		assert.Equal(t, []int{0, 9, 3, 7, 1}, labels)
	})
}

func TestReadEmptySets(t *testing.T) {
	dir := t.TempDir()
	images, err := ReadImages(writeFile(t, dir, "images", idxBytes(ImagesMagic, []uint32{0, 28, 28}, nil), false))
	require.NoError(t, err)
	assert.Equal(t, 0, images.Count)
	assert.Empty(t, images.Pixels)

	labels, err := ReadLabels(writeFile(t, dir, "labels", idxBytes(LabelsMagic, []uint32{0}, nil), false))
	require.NoError(t, err)
	assert.Empty(t, labels)
}

func TestReadImagesMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent-images")
	_, err := ReadImages(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
}

func TestReadLabelsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent-labels")
	_, err := ReadLabels(path)
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
}

func TestReadImagesWrongMagic(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		// A label file where an image file belongs.
		path := writeFile(t, t.TempDir(), "images", idxBytes(LabelsMagic, []uint32{2}, []byte{1, 2}), compress)
		_, err := ReadImages(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": wrong magic number: expected 0x00000803 (IDX images), found 0x00000801")
	})
}

func TestReadLabelsWrongMagic(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		path := writeFile(t, t.TempDir(), "labels", idxBytes(ImagesMagic, []uint32{1, 1, 1}, []byte{1}), compress)
		_, err := ReadLabels(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": wrong magic number: expected 0x00000801 (IDX labels), found 0x00000803")
	})
}

func TestReadImagesWrongMagicShortFile(t *testing.T) {
	// A file shorter than an image header but with a complete magic
	// number reports the magic number, not the missing bytes.
	path := writeFile(t, t.TempDir(), "images", idxBytes(0x12345678, []uint32{1}, nil), false)
	_, err := ReadImages(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "wrong magic number: expected 0x00000803 (IDX images), found 0x12345678")
}

func TestReadImagesTruncatedHeader(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		full := idxBytes(ImagesMagic, []uint32{1, 2, 2}, []byte{1, 2, 3, 4})
		path := writeFile(t, t.TempDir(), "images", full[:10], compress)
		_, err := ReadImages(path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), path)
		assert.Contains(t, err.Error(), "truncated header: expected 16 bytes, got 10")
	})
}

func TestReadLabelsTruncatedMagic(t *testing.T) {
	path := writeFile(t, t.TempDir(), "labels", []byte{0, 0}, false)
	_, err := ReadLabels(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "truncated header: expected 8 bytes, got 2")
}

func TestReadImagesZeroDimensions(t *testing.T) {
	path := writeFile(t, t.TempDir(), "images", idxBytes(ImagesMagic, []uint32{3, 0, 28}, nil), false)
	_, err := ReadImages(path)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": wrong dimensions: 3 images of 0×28 pixels, expected rows and columns above 0")
}

func TestReadImagesHugeDimensions(t *testing.T) {
	path := writeFile(t, t.TempDir(), "images", idxBytes(ImagesMagic, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), false)
	_, err := ReadImages(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "wrong dimensions: 4294967295 images of 4294967295×4294967295 pixels exceed the limit")
}

func TestReadLabelsHugeCountShortBody(t *testing.T) {
	// A count of 2³²−1 is within the size limit, so the reader starts on
	// the body. It must report the short body instead of allocating the
	// claimed size.
	path := writeFile(t, t.TempDir(), "labels", idxBytes(LabelsMagic, []uint32{0xffffffff}, []byte{1, 2, 3}), false)
	_, err := ReadLabels(path)
	require.Error(t, err)
	assert.EqualError(t, err, "mnist: "+path+": truncated body: expected 4294967295 bytes of labels after the header, got 3")
}

func TestReadImagesTruncatedBody(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		path := writeFile(t, t.TempDir(), "images", idxBytes(ImagesMagic, []uint32{3, 2, 2}, make([]byte, 7)), compress)
		_, err := ReadImages(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": truncated body: expected 12 bytes of pixels after the header, got 7")
	})
}

func TestReadLabelsTruncatedBody(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		path := writeFile(t, t.TempDir(), "labels", idxBytes(LabelsMagic, []uint32{4}, []byte{1, 2}), compress)
		_, err := ReadLabels(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": truncated body: expected 4 bytes of labels after the header, got 2")
	})
}

func TestReadImagesTrailingBytes(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		path := writeFile(t, t.TempDir(), "images", idxBytes(ImagesMagic, []uint32{1, 2, 2}, make([]byte, 6)), compress)
		_, err := ReadImages(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": 2 unexpected bytes after the 4 bytes of pixels")
	})
}

func TestReadLabelsOutOfRange(t *testing.T) {
	encodings(t, func(t *testing.T, compress bool) {
		path := writeFile(t, t.TempDir(), "labels", idxBytes(LabelsMagic, []uint32{4}, []byte{0, 9, 10, 3}), compress)
		_, err := ReadLabels(path)
		require.Error(t, err)
		assert.EqualError(t, err, "mnist: "+path+": label 10 at index 2 is out of range 0..9")
	})
}

func TestReadImagesCorruptGzip(t *testing.T) {
	data := gzipBytes(t, idxBytes(ImagesMagic, []uint32{2, 4, 4}, bytes.Repeat([]byte{7}, 32)))
	// The last 8 bytes are the CRC-32 and the length of the content:
	// changing the CRC leaves the content readable but wrong.
	data[len(data)-8] ^= 0xff
	path := writeFile(t, t.TempDir(), "images.gz", data, false)

	_, err := ReadImages(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.ErrorIs(t, err, gzip.ErrChecksum)
}

func TestReadImagesBadGzipHeader(t *testing.T) {
	// The gzip magic bytes followed by an unknown compression method.
	path := writeFile(t, t.TempDir(), "images.gz", []byte{0x1f, 0x8b, 0x01, 0, 0, 0, 0, 0, 0, 0}, false)
	_, err := ReadImages(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "invalid gzip header")
}
