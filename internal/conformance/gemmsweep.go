package conformance

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// testGemm runs the Gemm cases: shapes from gemmSizes on every axis and at
// random, every alpha and beta, leading-dimension slack and offsets, shapes
// past the cache blocks of a blocked implementation, and the BLAS
// conventions for beta = 0, alpha = 0, k = 0 and empty outputs.
func testGemm(t *testing.T, k Kernels) {
	subtests := []struct {
		name string
		test func(*testing.T, Kernels)
	}{
		{"axes", testGemmAxes},
		{"sample", testGemmSample},
		{"scalars", testGemmScalars},
		{"layout", testGemmLayout},
		{"blocked", testGemmBlocked},
		{"beta-zero", testGemmBetaZero},
		{"alpha-zero", testGemmAlphaZero},
		{"k-zero", testGemmKZero},
		{"empty", testGemmEmpty},
		{"nonfinite", testGemmNonFinite},
	}
	for _, s := range subtests {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.test(t, k)
		})
	}
}

func requireGemm(t *testing.T, k Kernels, gc GemmCase) {
	t.Helper()
	_, err := gc.Check(k.Gemm)
	require.NoError(t, err)
}

// testGemmAxes gives each of m, n and k every value of gemmSizes while the
// other two take small values, with every transpose combination.
func testGemmAxes(t *testing.T, k Kernels) {
	others := []int{1, 3, 17}
	i := 0
	for _, v := range gemmSizes {
		for axis := range 3 {
			for _, o1 := range others {
				for _, o2 := range others {
					var dims [3]int
					dims[axis], dims[(axis+1)%3], dims[(axis+2)%3] = v, o1, o2
					for _, tr := range transposes {
						gc := GemmCase{
							TransA: tr[0], TransB: tr[1], M: dims[0], N: dims[1], K: dims[2],
							Alpha: gemmNonzeroAlphas[i%3], Beta: gemmBetas[(i/3)%3], Seed: uint64(i),
						}
						requireGemm(t, k, varyLayout(gc, i))
						i++
					}
				}
			}
		}
	}
}

// testGemmSample runs a seeded random sample of the cube gemmSizes³, with
// random transposes, scalars and layouts.
func testGemmSample(t *testing.T, k Kernels) {
	r := newRand(700)
	for i := range 400 {
		tr := transposes[r.IntN(4)]
		gc := GemmCase{
			TransA: tr[0], TransB: tr[1],
			M: gemmSizes[r.IntN(len(gemmSizes))], N: gemmSizes[r.IntN(len(gemmSizes))],
			K:     gemmSizes[r.IntN(len(gemmSizes))],
			Alpha: gemmAlphas[r.IntN(len(gemmAlphas))], Beta: gemmBetas[r.IntN(len(gemmBetas))],
			SlackA: r.IntN(6), SlackB: r.IntN(6), SlackC: r.IntN(6),
			OffsetA: r.IntN(alignLen), OffsetB: r.IntN(alignLen), OffsetC: r.IntN(alignLen),
			Seed: uint64(1000 + i),
		}
		requireGemm(t, k, gc)
	}
}

// testGemmScalars runs every alpha and beta with every transpose
// combination on a few shapes.
func testGemmScalars(t *testing.T, k Kernels) {
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {33, 17, 65}, {2, 100, 129}}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for _, alpha := range gemmAlphas {
				for _, beta := range gemmBetas {
					gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
						Alpha: alpha, Beta: beta, Seed: uint64(2000 + i)}
					requireGemm(t, k, varyLayout(gc, i))
					i++
				}
			}
		}
	}
}

// testGemmLayout runs every offset of C from a 64-byte boundary with every
// leading-dimension slack from 0 to 5, varying the offsets of A and B too.
func testGemmLayout(t *testing.T, k Kernels) {
	shapes := [][3]int{{9, 17, 15}, {33, 8, 65}}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for offset := 0; offset <= maxOffset; offset++ {
				for slack := range 6 {
					gc := GemmCase{
						TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
						Alpha: gemmNonzeroAlphas[i%3], Beta: gemmBetas[i%2+1],
						SlackA: slack, SlackB: (slack + 2) % 6, SlackC: (slack + 4) % 6,
						OffsetA: (3*offset + slack) % alignLen, OffsetB: (7*offset + 1) % alignLen,
						OffsetC: offset, Seed: uint64(3000 + i),
					}
					requireGemm(t, k, gc)
					i++
				}
			}
		}
	}
}

// testGemmBlocked runs shapes larger than the cache blocks of a blocked
// implementation in m, n and k, so that blocks and their edges meet.
func testGemmBlocked(t *testing.T, k Kernels) {
	cases := []GemmCase{
		{M: 70, N: 20, K: 520, Alpha: 1, Beta: 0},
		{TransA: true, TransB: true, M: 67, N: 33, K: 259, Alpha: -0.5, Beta: 1},
		{TransA: true, M: 130, N: 40, K: 300, Alpha: 2.5, Beta: -1.5},
		{TransB: true, M: 9, N: 2060, K: 20, Alpha: 1, Beta: 0},
		{M: 3, N: 1030, K: 257, Alpha: 1, Beta: -1.5},
	}
	for i, gc := range cases {
		gc.Seed = uint64(4000 + i)
		requireGemm(t, k, varyLayout(gc, i))
	}
}

// testGemmBetaZero checks that with beta = 0 C is written without being
// read: C starts as NaN and infinities, and the result must be finite and
// correct.
func testGemmBetaZero(t *testing.T, k Kernels) {
	shapes := [][3]int{{1, 1, 1}, {5, 7, 3}, {16, 16, 16}, {33, 17, 65}, {4, 129, 2}}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for _, alpha := range []float32{1, 2.5} {
				gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
					Alpha: alpha, Beta: 0, Seed: uint64(5000 + i)}
				got, err := varyLayout(gc, i).Check(k.Gemm)
				require.NoError(t, err)
				for e, v := range got {
					require.Falsef(t, isNaN(v) || math.IsInf(float64(v), 0),
						"Gemm %v: C[%d][%d] = %s, NaN or infinity from C survived beta = 0",
						gc, e/gc.N, e%gc.N, format(v))
				}
				i++
			}
		}
	}
}

// testGemmAlphaZero checks that alpha = 0 gives C = beta·C without using A
// and B, which hold only NaN and infinities.
func testGemmAlphaZero(t *testing.T, k Kernels) {
	shapes := [][3]int{{1, 1, 1}, {4, 9, 3}, {17, 33, 65}}
	poison := []float32{nan, inf, -inf}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for _, alpha := range []float32{0, negZero} {
				for _, beta := range gemmBetas {
					gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
						Alpha: alpha, Beta: beta, Seed: uint64(6000 + i)}
					setup := varyLayout(gc, i).setup()
					for j := range setup.a.s {
						setup.a.s[j] = poison[j%3]
					}
					for j := range setup.b.s {
						setup.b.s[j] = poison[(j+1)%3]
					}
					_, err := setup.check(k.Gemm)
					require.NoError(t, err, "NaN in A or B must not reach C when alpha = 0")
					i++
				}
			}
		}
	}
}

// testGemmKZero checks that k = 0 gives C = beta·C whatever alpha is, with
// empty and with nil A and B.
func testGemmKZero(t *testing.T, k Kernels) {
	shapes := [][2]int{{1, 1}, {3, 5}, {17, 33}}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for _, alpha := range []float32{1, 2.5, nan, inf} {
				for _, beta := range gemmBetas {
					gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: 0,
						Alpha: alpha, Beta: beta, Seed: uint64(7000 + i)}
					setup := varyLayout(gc, i).setup()
					_, err := setup.check(k.Gemm)
					require.NoError(t, err)

					setup = varyLayout(gc, i).setup()
					setup.a.s, setup.b.s = nil, nil
					_, err = setup.check(k.Gemm)
					require.NoError(t, err, "nil A and B")
					i++
				}
			}
		}
	}
}

// testGemmEmpty checks that Gemm returns at once when m or n is 0: nothing
// is written, whatever the scalars, and nil slices are accepted.
func testGemmEmpty(t *testing.T, k Kernels) {
	shapes := [][3]int{{0, 5, 3}, {4, 0, 3}, {0, 0, 0}, {0, 7, 0}, {6, 0, 0}}
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
				Alpha: nan, Beta: nan, Seed: uint64(8000 + i)}
			_, err := varyLayout(gc, i).Check(k.Gemm)
			require.NoError(t, err)

			g := gc.layout()
			require.NotPanicsf(t, func() {
				k.Gemm(gc.TransA, gc.TransB, gc.M, gc.N, gc.K, 1, nil, g.lda, nil, g.ldb, 0, nil, g.ldc)
			}, "Gemm %v with nil a, b and c", gc)
			i++
		}
	}
}

// testGemmNonFinite puts NaN and infinities into A, B and C and checks that
// they propagate as in the float64 result, which does not depend on the
// order of summation.
func testGemmNonFinite(t *testing.T, k Kernels) {
	shapes := [][3]int{{1, 1, 1}, {5, 9, 7}, {8, 8, 8}, {17, 33, 16}, {3, 70, 40}}
	r := newRand(900)
	i := 0
	for _, s := range shapes {
		for _, tr := range transposes {
			for _, alpha := range []float32{1, -0.5} {
				for _, beta := range gemmBetas {
					gc := GemmCase{TransA: tr[0], TransB: tr[1], M: s[0], N: s[1], K: s[2],
						Alpha: alpha, Beta: beta, Seed: uint64(9000 + i)}
					setup := varyLayout(gc, i).setup()
					injectNonFinite(r, setup.a.s, setup.rowsA, setup.colsA, setup.lda, 1+r.IntN(3))
					injectNonFinite(r, setup.b.s, setup.rowsB, setup.colsB, setup.ldb, 1+r.IntN(3))
					if beta != 0 {
						injectNonFinite(r, setup.c.s, gc.M, gc.N, setup.ldc, 1+r.IntN(3))
					}
					_, err := setup.check(k.Gemm)
					require.NoError(t, err)
					i++
				}
			}
		}
	}
}
