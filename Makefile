# simdgrad's build and test entry points. `make test` is what CI runs.

GO ?= go
# Packages of the library module; the nested modules (bench/, later asm/)
# are tested from their own directories.
PKGS := ./...
# Architectures that go vet checks, each with and without -tags purego.
VET_ARCHS := amd64 arm64 386 riscv64

QEMU_ARM64 ?= qemu-aarch64-static
QEMU_RISCV64 ?= qemu-riscv64-static
QEMU_X86_64 ?= qemu-x86_64-static

# EXPECT_NATIVE names the implementation that this machine must dispatch,
# for example avx2; when set, the native runs fail if another one ran.
# Empty means no expectation (TestExpectedImplementation skips).
EXPECT_NATIVE ?=
# Packages whose tests exercise the kernels, run once per path.
PATH_PKGS := ./kernels/ ./mlp/

# Emulated CPUs run 20 to 100 times slower, so they run a subset that still
# executes every kernel of the dispatched path: the dispatch checks, and the
# conformance suite's fixture, special-value, bad-argument, elementwise and
# row tests. The native runs cover the rest.
EMU_KERNELS := -run '^(TestConformance|TestExpectedImplementation|TestDispatchMatchesCPUFeatures|TestImplIsAvailable)$$/^kernels$$/^dispatched$$/^(fixtures|specials|bad-arguments|elementwise|saturation|addbias|sumrows)$$' ./kernels/
EMU_MLP := -run '^(TestKernelPath|TestDenseMatchesPyTorch|TestLossesMatchPyTorch|TestSGDMatchesPyTorch)$$' ./mlp/

.PHONY: all test asm-tests threads unit race purego paths emulated vet cross bench-module demo generate check-generated

all: test

# test runs everything: unit tests, the race detector, the purego build,
# each kernels path this machine runs, go vet on every architecture, the
# cross-architecture runs and the bench module's tests.
test: check-generated asm-tests unit race purego paths threads emulated vet cross bench-module

unit:
	SIMDGRAD_EXPECT_IMPL=$(EXPECT_NATIVE) $(GO) test -count=1 $(PKGS)

race:
	SIMDGRAD_EXPECT_IMPL=$(EXPECT_NATIVE) $(GO) test -count=1 -race $(PKGS)

purego:
	SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -tags purego $(PKGS)

# paths runs the suite once per kernels implementation that the cap selects;
# SIMDGRAD_EXPECT_IMPL makes TestExpectedImplementation fail if the cap did
# not select the path named.
paths:
	SIMDGRAD_KERNELS=generic SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 $(PATH_PKGS)
	GODEBUG=cpu.avx2=off SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 $(PATH_PKGS)
	@if [ -n "$(EXPECT_NATIVE)" ] && [ "$(EXPECT_NATIVE)" != generic ]; then \
		echo "SIMDGRAD_KERNELS=$(EXPECT_NATIVE)"; \
		SIMDGRAD_KERNELS=$(EXPECT_NATIVE) SIMDGRAD_EXPECT_IMPL=$(EXPECT_NATIVE) \
			$(GO) test -count=1 $(PATH_PKGS); \
	fi

# threads runs the conformance suite and the thread tests with Gemm capped
# at 1, 2 and 7 goroutines (GOMAXPROCS 7, so that seven really run): the
# results must not depend on the thread count.
threads:
	@set -e; for n in 1 2 7; do \
		echo "SIMDGRAD_THREADS=$$n"; \
		GOMAXPROCS=7 SIMDGRAD_THREADS=$$n $(GO) test -count=1 \
			-run 'TestConformance|Threads|SameBits' ./kernels/; \
	done

# emulated runs the amd64 tests on emulated CPUs: Haswell has AVX2 and FMA
# but no AVX-512, so avx2 must be chosen; qemu64 has no AVX, so generic.
emulated:
	SIMDGRAD_EXPECT_IMPL=avx2 $(GO) test -count=1 -short \
		-exec "$(QEMU_X86_64) -cpu Haswell" $(EMU_KERNELS)
	SIMDGRAD_EXPECT_IMPL=avx2 $(GO) test -count=1 -short \
		-exec "$(QEMU_X86_64) -cpu Haswell" $(EMU_MLP)
	SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -short \
		-exec "$(QEMU_X86_64) -cpu qemu64" $(EMU_KERNELS)

vet:
	@set -e; for arch in $(VET_ARCHS); do \
		for tags in "" purego; do \
			echo "go vet GOARCH=$$arch tags=$$tags"; \
			GOARCH=$$arch $(GO) vet -tags "$$tags" $(PKGS); \
		done; \
	done
	cd bench && $(GO) vet ./...
	cd asm && $(GO) vet ./...

# cross runs the tests on other architectures: every package for 386
# natively (generic); kernels and mlp for arm64 under qemu user-mode
# emulation on its default CPU (max), where neon must be chosen; and the
# emulation subset on a plain ARMv8.0 Cortex-A53 (neon), with -tags purego
# (generic) and for riscv64 (generic).
cross:
	GOARCH=386 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -short $(PKGS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=neon $(GO) test -count=1 -short \
		-exec $(QEMU_ARM64) $(PATH_PKGS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=neon $(GO) test -count=1 -short \
		-exec "$(QEMU_ARM64) -cpu cortex-a53" $(EMU_KERNELS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -short -tags purego \
		-exec $(QEMU_ARM64) $(EMU_KERNELS)
	GOARCH=riscv64 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -short \
		-exec $(QEMU_RISCV64) $(EMU_KERNELS)

# asm-tests runs the generators' own tests, among them the comparison of
# every NEON encoding with GNU as. REQUIRE_GNU_AS=1 turns the skip when
# aarch64-linux-gnu-as is missing into a failure.
REQUIRE_GNU_AS ?=
asm-tests:
	cd asm && SIMDGRAD_REQUIRE_GNU_AS=$(REQUIRE_GNU_AS) $(GO) test -count=1 ./...

bench-module:
	cd bench && $(GO) test -count=1 ./...

# bench runs the bench module's Gemm, elementwise and training-step
# benchmarks on one thread (-cpu 1) for the dispatched kernels path, with
# generic, the naive loop, gonum, OpenBLAS and PyTorch beside it; then the
# training step again with SIMDGRAD_KERNELS=generic, the one benchmark
# whose result changes with the cap (the others run generic/ directly). It
# saves the output to bench/results/raw.txt and renders it as
# bench/results/benchmarks.md and bench/results/gemm.svg. It takes about
# five minutes on a 2-core Zen 2 machine.
BENCH_FLAGS ?= -run '^$$' -cpu 1 -benchtime 0.3s -count 3 -timeout 30m
BENCH_ELEMENTWISE_SIZES := ^n=(4096|65536|1048576|16777216)$$
.PHONY: bench
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -ec
bench:
	mkdir -p bench/results
	cd bench && $(GO) test $(BENCH_FLAGS) -bench '^BenchmarkGemm$$' . | tee results/raw.txt
	cd bench && $(GO) test $(BENCH_FLAGS) \
		-bench '^Benchmark(ReLU|LeakyReLU|Sigmoid|Tanh|ReLUGrad|LeakyReLUGrad|SigmoidGrad|TanhGrad|AddBias|SumRows)$$/./$(BENCH_ELEMENTWISE_SIZES)' . \
		| tee -a results/raw.txt
	cd bench && $(GO) test $(BENCH_FLAGS) -bench '^BenchmarkTrainingStep$$' . | tee -a results/raw.txt
	cd bench && SIMDGRAD_KERNELS=generic $(GO) test $(BENCH_FLAGS) \
		-bench '^BenchmarkTrainingStep$$/^impl=generic$$' . | tee -a results/raw.txt
	cd bench && $(GO) run ./cmd/report -md results/benchmarks.md -svg results/gemm.svg results/raw.txt

# demo trains the default network on MNIST: the README's first command.
demo:
	cd bench && $(GO) run ./cmd/mnist

# generate rewrites every generated assembly file and stub in kernels/ from
# the generators in asm/.
generate:
	cd asm && $(GO) generate ./...

# check-generated fails if the committed generated files differ from what
# the generators write now, or if a generator writes a file not committed.
check-generated: generate
	git diff --exit-code -- kernels/
	@untracked=$$(git ls-files --others --exclude-standard -- kernels/); \
	if [ -n "$$untracked" ]; then echo "generated but not committed: $$untracked"; exit 1; fi
