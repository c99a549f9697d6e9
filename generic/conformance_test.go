package generic_test

import (
	"testing"

	"github.com/simdgrad/simdgrad/generic"
	"github.com/simdgrad/simdgrad/internal/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Kernels{
		Name:          "generic",
		Prefix:        "generic",
		Gemm:          generic.Gemm,
		ReLU:          generic.ReLU,
		LeakyReLU:     generic.LeakyReLU,
		Sigmoid:       generic.Sigmoid,
		Tanh:          generic.Tanh,
		ReLUGrad:      generic.ReLUGrad,
		LeakyReLUGrad: generic.LeakyReLUGrad,
		SigmoidGrad:   generic.SigmoidGrad,
		TanhGrad:      generic.TanhGrad,
		AddBias:       generic.AddBias,
		SumRows:       generic.SumRows,
	})
}
