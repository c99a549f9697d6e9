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

.PHONY: all test asm-tests unit race purego paths emulated vet cross bench-module demo generate check-generated

all: test

# test runs everything: unit tests, the race detector, the purego build,
# each kernels path this machine runs, go vet on every architecture, the
# cross-architecture runs and the bench module's tests.
test: check-generated asm-tests unit race purego paths emulated vet cross bench-module

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

# emulated runs the amd64 tests on emulated CPUs: Haswell has AVX2 and FMA
# but no AVX-512, so avx2 must be chosen; qemu64 has no AVX, so generic.
emulated:
	SIMDGRAD_EXPECT_IMPL=avx2 $(GO) test -count=1 \
		-exec "$(QEMU_X86_64) -cpu Haswell" $(PATH_PKGS)
	SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 \
		-exec "$(QEMU_X86_64) -cpu qemu64" $(PATH_PKGS)

vet:
	@set -e; for arch in $(VET_ARCHS); do \
		for tags in "" purego; do \
			echo "go vet GOARCH=$$arch tags=$$tags"; \
			GOARCH=$$arch $(GO) vet -tags "$$tags" $(PKGS); \
		done; \
	done
	cd bench && $(GO) vet ./...
	cd asm && $(GO) vet ./...

# cross runs the tests on other architectures: 386 natively (generic);
# arm64 under qemu user-mode emulation on its default CPU (max) and on a
# plain ARMv8.0 Cortex-A53, where neon must be chosen, and with -tags purego;
# riscv64 under qemu (generic).
cross:
	GOARCH=386 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 $(PKGS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=neon $(GO) test -count=1 \
		-exec $(QEMU_ARM64) $(PKGS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=neon $(GO) test -count=1 \
		-exec "$(QEMU_ARM64) -cpu cortex-a53" $(PATH_PKGS)
	GOARCH=arm64 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 -tags purego \
		-exec $(QEMU_ARM64) $(PATH_PKGS)
	GOARCH=riscv64 SIMDGRAD_EXPECT_IMPL=generic $(GO) test -count=1 \
		-exec $(QEMU_RISCV64) $(PATH_PKGS)

# asm-tests runs the generators' own tests, among them the comparison of
# every NEON encoding with GNU as. REQUIRE_GNU_AS=1 turns the skip when
# aarch64-linux-gnu-as is missing into a failure.
REQUIRE_GNU_AS ?=
asm-tests:
	cd asm && SIMDGRAD_REQUIRE_GNU_AS=$(REQUIRE_GNU_AS) $(GO) test -count=1 ./...

bench-module:
	cd bench && $(GO) test -count=1 ./...

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
