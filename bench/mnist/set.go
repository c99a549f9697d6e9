package mnist

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Image size of every MNIST digit, in pixels.
const (
	Rows   = 28
	Cols   = 28
	Pixels = Rows * Cols
)

// Base names of the four MNIST files. Load looks for each with the .gz
// suffix first and then without it.
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// Set is a set of labelled 28×28 images.
type Set struct {
	Images []float32 // Len()×Pixels values in [0, 1], one image per row
	Labels []int     // digit classes 0..9
}

// Len returns the number of examples.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns the pixels of example i, sharing memory with s.
func (s *Set) Image(i int) []float32 { return s.Images[i*Pixels : (i+1)*Pixels] }

// Head returns the first n examples of s, or all of them when n is 0 or at
// least Len. The result shares memory with s.
func (s *Set) Head(n int) *Set {
	if n <= 0 || n >= s.Len() {
		return s
	}
	return &Set{Images: s.Images[:n*Pixels], Labels: s.Labels[:n]}
}

// Load reads the MNIST training and test sets from dir, which contains the
// four files named by TrainImagesFile and the other constants, each
// gzip-compressed (name.gz) or plain (name).
func Load(dir string) (train, test *Set, err error) {
	train, err = LoadSet(dir, TrainImagesFile, TrainLabelsFile)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadSet(dir, TestImagesFile, TestLabelsFile)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// LoadSet reads one set from the image and label files of the given base
// names in dir, and checks that the images are 28×28 and that both files
// contain the same number of examples.
func LoadSet(dir, imagesName, labelsName string) (*Set, error) {
	imagesPath, err := findFile(dir, imagesName)
	if err != nil {
		return nil, err
	}
	labelsPath, err := findFile(dir, labelsName)
	if err != nil {
		return nil, err
	}

	images, err := ReadImages(imagesPath)
	if err != nil {
		return nil, err
	}
	if images.Rows != Rows || images.Cols != Cols {
		return nil, fmt.Errorf("mnist: %s: wrong dimensions: images are %d×%d pixels, expected %d×%d", imagesPath, images.Rows, images.Cols, Rows, Cols)
	}
	labels, err := ReadLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(labels) != images.Count {
		return nil, fmt.Errorf("mnist: %s contains %d images but %s contains %d labels", imagesPath, images.Count, labelsPath, len(labels))
	}
	return &Set{Images: images.Pixels, Labels: labels}, nil
}

// findFile returns the path of name.gz in dir, or of name when only that
// exists. The error for neither wraps fs.ErrNotExist.
func findFile(dir, name string) (string, error) {
	compressed := filepath.Join(dir, name+".gz")
	plain := filepath.Join(dir, name)
	for _, path := range []string{compressed, plain} {
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("mnist: missing file %s (also tried %s): %w", compressed, plain, fs.ErrNotExist)
}
