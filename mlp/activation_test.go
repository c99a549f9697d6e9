package mlp_test

import (
	"os"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/simdgrad/simdgrad/mlp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKernelPath logs the kernel implementation that the tests run on. It
// also reads SIMDGRAD_KERNELS itself: kernels reads it during package
// initialisation, before go test starts recording the environment that a
// cached result depends on, so without this read a run with another value
// would reuse the cached result.
func TestKernelPath(t *testing.T) {
	t.Logf("kernels.Impl() = %q, SIMDGRAD_KERNELS=%q", kernels.Impl(), os.Getenv("SIMDGRAD_KERNELS"))
}

func TestActivationString(t *testing.T) {
	want := map[mlp.Activation]string{
		mlp.Linear:    "linear",
		mlp.ReLU:      "relu",
		mlp.LeakyReLU: "leakyrelu",
		mlp.Sigmoid:   "sigmoid",
		mlp.Tanh:      "tanh",
	}
	for act, name := range want {
		assert.Equal(t, name, act.String())
	}
	assert.Equal(t, "Activation(7)", mlp.Activation(7).String())
	assert.Equal(t, "Activation(-1)", mlp.Activation(-1).String())
}

func TestParseActivation(t *testing.T) {
	for _, act := range allActivations {
		got, err := mlp.ParseActivation(act.String())
		require.NoError(t, err)
		assert.Equal(t, act, got)
	}

	got, err := mlp.ParseActivation("LeakyReLU")
	require.NoError(t, err)
	assert.Equal(t, mlp.LeakyReLU, got, "case is ignored")

	_, err = mlp.ParseActivation("swish")
	assert.EqualError(t, err,
		`mlp: invalid activation "swish", want one of linear, relu, leakyrelu, sigmoid, tanh`)
	_, err = mlp.ParseActivation("")
	assert.Error(t, err)
}
