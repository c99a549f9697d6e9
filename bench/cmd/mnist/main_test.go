package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdgrad/simdgrad/bench/mnist"
	"github.com/simdgrad/simdgrad/mlp"
)

// mainArgsVariable, when set in the environment of this test binary, holds
// the JSON-encoded arguments of a run of main instead of the tests, so that
// a test can check main's exit status and standard error.
const mainArgsVariable = "MNIST_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if encoded, ok := os.LookupEnv(mainArgsVariable); ok {
		var args []string
		if err := json.Unmarshal([]byte(encoded), &args); err != nil {
			panic(err)
		}
		os.Args = append([]string{"mnist"}, args...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs main in a child process with args and returns its exit
// status, standard output and standard error.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	encoded, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), mainArgsVariable+"="+string(encoded))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	status := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		status = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return status, stdout.String(), stderr.String()
}

func TestParseFlagsDefaults(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseFlags(nil, &stderr)
	require.NoError(t, err)
	assert.Equal(t, []int{256}, c.hidden)
	assert.Equal(t, mlp.ReLU, c.act)
	assert.Equal(t, defaultEpochs, c.epochs)
	assert.Equal(t, defaultBatch, c.batch)
	assert.Equal(t, float32(defaultLR), c.lr)
	assert.Equal(t, float32(defaultMomentum), c.momentum)
	assert.Equal(t, uint64(defaultSeed), c.seed)
	assert.Empty(t, c.dataDir)
	assert.Zero(t, c.trainLimit)
	assert.Zero(t, c.testLimit)
	assert.Empty(t, c.save)
	assert.Empty(t, c.load)
	assert.Empty(t, stderr.String())
}

func TestParseFlagsValues(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseFlags([]string{
		"-hidden", " 512, 256 ", "-act", "LeakyReLU", "-epochs", "0", "-batch", "7",
		"-lr", "0.5", "-momentum", "0", "-seed", "42", "-data", "/d",
		"-train-limit", "100", "-test-limit", "10", "-save", "out", "-load", "in",
	}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, []int{512, 256}, c.hidden)
	assert.Equal(t, mlp.LeakyReLU, c.act)
	assert.Equal(t, 0, c.epochs)
	assert.Equal(t, 7, c.batch)
	assert.Equal(t, float32(0.5), c.lr)
	assert.Equal(t, float32(0), c.momentum)
	assert.Equal(t, uint64(42), c.seed)
	assert.Equal(t, "/d", c.dataDir)
	assert.Equal(t, 100, c.trainLimit)
	assert.Equal(t, 10, c.testLimit)
	assert.Equal(t, "out", c.save)
	assert.Equal(t, "in", c.load)
}

func TestParseFlagsNoHiddenLayers(t *testing.T) {
	c, err := parseFlags([]string{"-hidden", ""}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Empty(t, c.hidden)
}

func TestParseFlagsInvalid(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		message string
	}{
		{[]string{"-hidden", "256,x"}, `invalid value "256,x" for flag -hidden: size "x" is not an integer`},
		{[]string{"-hidden", "256,0"}, `invalid value "256,0" for flag -hidden: size 0 is not positive`},
		{[]string{"-hidden", "256,"}, `invalid value "256," for flag -hidden: size "" is not an integer`},
		{[]string{"-act", "softmax"}, `invalid value "softmax" for flag -act: mlp: invalid activation "softmax"`},
		{[]string{"-epochs", "-1"}, "invalid value -1 for flag -epochs: negative"},
		{[]string{"-batch", "0"}, "invalid value 0 for flag -batch: expected at least 1"},
		{[]string{"-lr", "0"}, "invalid value 0 for flag -lr: expected a positive number"},
		{[]string{"-lr", "NaN"}, "invalid value NaN for flag -lr: expected a positive number"},
		{[]string{"-momentum", "1"}, "invalid value 1 for flag -momentum: expected 0 <= momentum < 1"},
		{[]string{"-momentum", "-0.1"}, "invalid value -0.1 for flag -momentum: expected 0 <= momentum < 1"},
		{[]string{"-train-limit", "-5"}, "invalid value -5 for flag -train-limit: negative"},
		{[]string{"-test-limit", "-5"}, "invalid value -5 for flag -test-limit: negative"},
		{[]string{"-batch", "many"}, `invalid value "many" for flag -batch: parse error`},
		{[]string{"-unknown"}, "flag provided but not defined: -unknown"},
		{[]string{"train"}, `unexpected argument "train"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseFlags(tc.args, &stderr)
			require.ErrorIs(t, err, errUsage)
			assert.Contains(t, stderr.String(), tc.message)
			assert.Contains(t, stderr.String(), "Usage: mnist [flags]")
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "-train-limit N")
}

func TestDescribeNetwork(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	net := mlp.NewMLP([]int{784, 512, 256, 10}, mlp.Tanh, rng)
	assert.Equal(t, "784-512-256-10 tanh", describeNetwork(net))
	assert.Equal(t, `-hidden "512,256" -act tanh`, flagsFor(net))
	assert.Equal(t, 784*512+512+512*256+256+256*10+10, countParameters(net))

	linear := mlp.NewMLP([]int{784, 10}, mlp.ReLU, rng)
	assert.Equal(t, "784-10", describeNetwork(linear))
	assert.Equal(t, `-hidden "" -act linear`, flagsFor(linear))
}

// saveNetwork saves a seeded network of the given sizes and activation and
// returns the path.
func saveNetwork(t *testing.T, sizes []int, act mlp.Activation) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "net.weights")
	require.NoError(t, mnist.SaveWeights(path, mlp.NewMLP(sizes, act, rand.New(rand.NewPCG(3, 0)))))
	return path
}

func TestBuildNetworkLoadsMatchingFile(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 10}, mlp.Sigmoid)
	want, err := mnist.LoadWeights(path)
	require.NoError(t, err)

	net, err := buildNetwork(&config{hidden: []int{32}, act: mlp.Sigmoid, load: path}, nil)
	require.NoError(t, err)
	assert.Equal(t, want.Layers[0].W, net.Layers[0].W)
	assert.Equal(t, want.Layers[1].B, net.Layers[1].B)
}

func TestBuildNetworkSizeMismatch(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 10}, mlp.ReLU)
	_, err := buildNetwork(&config{hidden: []int{256}, act: mlp.ReLU, load: path}, nil)
	require.Error(t, err)
	assert.EqualError(t, err, path+`: the network 784-32-10 relu does not match the flags, which describe 784-256-10 relu; pass -hidden "32" -act relu`)
}

func TestBuildNetworkActivationMismatch(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 16, 10}, mlp.Tanh)
	_, err := buildNetwork(&config{hidden: []int{32, 16}, act: mlp.ReLU, load: path}, nil)
	require.Error(t, err)
	assert.EqualError(t, err, path+`: the network 784-32-16-10 tanh does not match the flags, which describe 784-32-16-10 relu; pass -hidden "32,16" -act tanh`)
}

func TestBuildNetworkWrongInputSize(t *testing.T) {
	path := saveNetwork(t, []int{100, 32, 10}, mlp.ReLU)
	_, err := buildNetwork(&config{hidden: []int{32}, act: mlp.ReLU, load: path}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+": the network 100-32-10 relu does not match the flags, which describe 784-32-10 relu")
}

func TestBuildNetworkMixedActivations(t *testing.T) {
	net := mlp.NewMLP([]int{784, 32, 16, 10}, mlp.ReLU, rand.New(rand.NewPCG(3, 0)))
	net.Layers[1].Act = mlp.Tanh
	path := filepath.Join(t.TempDir(), "mixed.weights")
	require.NoError(t, mnist.SaveWeights(path, net))

	_, err := buildNetwork(&config{hidden: []int{32, 16}, act: mlp.ReLU, load: path}, nil)
	require.Error(t, err)
	assert.EqualError(t, err, path+": hidden layer 1 uses tanh but layer 0 uses relu, and this command trains one activation only")
}

func TestBuildNetworkNonLinearOutput(t *testing.T) {
	net := mlp.NewMLP([]int{784, 32, 10}, mlp.ReLU, rand.New(rand.NewPCG(3, 0)))
	net.Layers[1].Act = mlp.ReLU
	path := filepath.Join(t.TempDir(), "relu-output.weights")
	require.NoError(t, mnist.SaveWeights(path, net))

	_, err := buildNetwork(&config{hidden: []int{32}, act: mlp.ReLU, load: path}, nil)
	require.Error(t, err)
	assert.EqualError(t, err, path+": the output layer uses relu, expected linear (logits)")
}

func TestCommandLoadCorruptFile(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 10}, mlp.ReLU)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)/2] ^= 1
	require.NoError(t, os.WriteFile(path, data, 0o644))

	// -data names a missing directory: the weights are checked first.
	status, stdout, stderr := runMain(t, "-hidden", "32", "-load", path, "-data", filepath.Join(t.TempDir(), "absent"))
	assert.Equal(t, 1, status)
	assert.Empty(t, stdout)
	assert.Regexp(t, `^mnist: `+regexp.QuoteMeta(path)+`: checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}, so the file is corrupt\n$`, stderr)
}

func TestCommandLoadTruncatedFile(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 10}, mlp.ReLU)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data[:1000], 0o644))

	status, _, stderr := runMain(t, "-hidden", "32", "-load", path)
	assert.Equal(t, 1, status)
	assert.Equal(t, fmt.Sprintf("mnist: %s: truncated: expected %d bytes, got 1000\n", path, len(data)), stderr)
}

func TestCommandLoadWrongMagic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(path, []byte("these are not weights\n"), 0o644))

	status, _, stderr := runMain(t, "-load", path)
	assert.Equal(t, 1, status)
	assert.Contains(t, stderr, "mnist: "+path+": not a weight file: wrong magic number")
}

func TestCommandLoadMismatch(t *testing.T) {
	path := saveNetwork(t, []int{784, 32, 10}, mlp.ReLU)
	status, _, stderr := runMain(t, "-load", path)
	assert.Equal(t, 1, status)
	assert.Equal(t, "mnist: "+path+`: the network 784-32-10 relu does not match the flags, which describe 784-256-10 relu; pass -hidden "32" -act relu`+"\n", stderr)
}

func TestCommandMissingData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	status, _, stderr := runMain(t, "-hidden", "8", "-data", dir)
	assert.Equal(t, 1, status)
	assert.Contains(t, stderr, "mnist: missing file "+filepath.Join(dir, mnist.TrainImagesFile+".gz"))
}

func TestCommandUsageError(t *testing.T) {
	status, stdout, stderr := runMain(t, "-batch", "0")
	assert.Equal(t, 2, status)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "invalid value 0 for flag -batch")
}

func TestCommandHelp(t *testing.T) {
	status, _, stderr := runMain(t, "-help")
	assert.Equal(t, 0, status)
	assert.Contains(t, stderr, "Usage: mnist [flags]")
}
