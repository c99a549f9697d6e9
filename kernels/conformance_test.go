package kernels_test

import (
	"testing"

	"github.com/simdgrad/simdgrad/internal/conformance"
	"github.com/simdgrad/simdgrad/kernels"
	"github.com/stretchr/testify/require"
)

// exported returns the exported functions of package kernels for the
// suite; they dispatch to whichever implementation is active.
func exported(name string) conformance.Kernels {
	return conformance.Kernels{
		Name:          name,
		Prefix:        "kernels",
		Gemm:          kernels.Gemm,
		ReLU:          kernels.ReLU,
		LeakyReLU:     kernels.LeakyReLU,
		Sigmoid:       kernels.Sigmoid,
		Tanh:          kernels.Tanh,
		ReLUGrad:      kernels.ReLUGrad,
		LeakyReLUGrad: kernels.LeakyReLUGrad,
		SigmoidGrad:   kernels.SigmoidGrad,
		TanhGrad:      kernels.TanhGrad,
		AddBias:       kernels.AddBias,
		SumRows:       kernels.SumRows,
	}
}

// TestConformance runs the suite on every implementation that this machine
// and build can run, each selected with Use, and then on the one chosen at
// start-up.
func TestConformance(t *testing.T) {
	available := kernels.Available()
	require.Contains(t, available, "generic", "generic must always be available")
	for _, name := range available {
		func() {
			restore := kernels.Use(name)
			defer restore()
			require.Equal(t, name, kernels.Impl(), "Use(%q)", name)
			conformance.Run(t, exported("kernels/"+name))
		}()
	}
	conformance.Run(t, exported("kernels/dispatched"))
}
