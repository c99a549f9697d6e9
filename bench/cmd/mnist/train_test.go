package main

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdgrad/simdgrad/bench/mnist"
	"github.com/simdgrad/simdgrad/mlp"
)

func TestArgmax(t *testing.T) {
	assert.Equal(t, 0, argmax([]float32{3, 1, 2}))
	assert.Equal(t, 2, argmax([]float32{-3, -1, 2}))
	assert.Equal(t, 1, argmax([]float32{0, 5, 5}), "first on ties")
}

func TestEvaluate(t *testing.T) {
	// A linear network whose logit for class c is 10·pixel c, so an image
	// with only pixel c lit is classified as c.
	net := mlp.NewMLP([]int{mnist.Pixels, mnist.Classes}, mlp.Linear, rand.New(rand.NewPCG(1, 0)))
	layer := net.Layers[0]
	clear(layer.W)
	clear(layer.B)
	for c := range mnist.Classes {
		layer.W[c*mnist.Classes+c] = 10
	}
	set := &mnist.Set{Images: make([]float32, 4*mnist.Pixels), Labels: []int{3, 7, 7, 0}}
	for i, lit := range []int{3, 7, 2, 0} {
		set.Images[i*mnist.Pixels+lit] = 1
	}
	assert.Equal(t, 0.75, evaluate(net, set))
}

// epochLine matches the per-epoch result line and captures the epoch, the
// loss and the test accuracy.
var epochLine = regexp.MustCompile(`(?m)^epoch (\d+)/\d+: loss (\d+\.\d{4}), test accuracy (\d+\.\d\d)%, \d+ samples/s, kernels \w+$`)

// loadedLine matches the line that -load prints and captures the accuracy.
var loadedLine = regexp.MustCompile(`(?m)^epoch 0/\d+: weights from .+, test accuracy (\d+\.\d\d)%$`)

// gomnistData returns the GoMNIST data folder as go list -m reports it in
// this module.
func gomnistData(t *testing.T) string {
	t.Helper()
	dir, err := mnist.DataDirFromGoList(".")
	require.NoError(t, err)
	return dir
}

// Trains for one epoch on the first 10000 training images, evaluates on the
// first 1000 test images, then checks that the saved weights reproduce the
// accuracy when loaded. One epoch on 2000 images gives only about 76%, so
// the subset is larger than that.
func TestTrainSubsetAndReload(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the real MNIST data")
	}
	data := gomnistData(t)
	weights := filepath.Join(t.TempDir(), "net.weights")
	subset := []string{"-data", data, "-train-limit", "10000", "-test-limit", "1000"}

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(append(subset, "-epochs", "1", "-save", weights), &stdout, &stderr), "stderr: %s", stderr.String())
	t.Log("\n" + stdout.String())
	assert.Contains(t, stdout.String(), "network 784-256-10 relu, 203530 parameters")
	assert.Contains(t, stdout.String(), "10000 training and 1000 test images")
	assert.Contains(t, stdout.String(), "saved the weights to "+weights)
	assert.Empty(t, stderr.String(), "no progress bar off a terminal")

	match := epochLine.FindStringSubmatch(stdout.String())
	require.NotNil(t, match, "no epoch line in:\n%s", stdout.String())
	assert.Equal(t, "1", match[1])
	loss, err := strconv.ParseFloat(match[2], 64)
	require.NoError(t, err)
	assert.Less(t, loss, 1.0)
	accuracy, err := strconv.ParseFloat(match[3], 64)
	require.NoError(t, err)
	assert.Greater(t, accuracy, 80.0, "test accuracy after one epoch on 10000 images")

	stdout.Reset()
	require.NoError(t, run(append(subset, "-epochs", "0", "-load", weights), &stdout, &stderr), "stderr: %s", stderr.String())
	loaded := loadedLine.FindStringSubmatch(stdout.String())
	require.NotNil(t, loaded, "no line for the loaded weights in:\n%s", stdout.String())
	assert.Equal(t, match[3], loaded[1], "the loaded weights give the same accuracy")
	assert.NotRegexp(t, epochLine, stdout.String(), "-epochs 0 trains nothing")
}

func TestTrainIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the real MNIST data")
	}
	args := []string{"-data", gomnistData(t), "-hidden", "32", "-train-limit", "500", "-test-limit", "500", "-epochs", "2", "-seed", "7"}
	var first, second bytes.Buffer
	require.NoError(t, run(args, &first, &bytes.Buffer{}))
	require.NoError(t, run(args, &second, &bytes.Buffer{}))

	firstEpochs := epochLine.FindAllStringSubmatch(first.String(), -1)
	secondEpochs := epochLine.FindAllStringSubmatch(second.String(), -1)
	require.Len(t, firstEpochs, 2)
	require.Len(t, secondEpochs, 2)
	for i := range firstEpochs {
		assert.Equal(t, firstEpochs[i][1:], secondEpochs[i][1:], "epoch %d", i+1)
	}
}

func TestRunFindsDataByItself(t *testing.T) {
	// The test binary of package main records GoMNIST in its build
	// information, as the command's binary does, so this covers the
	// module-cache lookup and not the go list fallback.
	info, ok := debug.ReadBuildInfo()
	require.True(t, ok)
	require.True(t, slices.ContainsFunc(info.Deps, func(m *debug.Module) bool { return m.Path == mnist.ModulePath }),
		"the build information lacks %s", mnist.ModulePath)

	var stdout bytes.Buffer
	require.NoError(t, run([]string{"-epochs", "0", "-hidden", "8"}, &stdout, &bytes.Buffer{}))
	assert.Contains(t, stdout.String(), "data "+gomnistData(t)+": 60000 training and 10000 test images")
}

func TestTrainDivergence(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the real MNIST data")
	}
	var stdout bytes.Buffer
	err := run([]string{"-data", gomnistData(t), "-hidden", "16", "-train-limit", "500", "-test-limit", "10", "-epochs", "1", "-lr", "1e30"}, &stdout, &bytes.Buffer{})
	require.Error(t, err)
	assert.Regexp(t, `^training diverged in epoch 1: the mean loss is (NaN|\+Inf); lower -lr$`, err.Error())
}
