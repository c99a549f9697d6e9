package kernels_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/simdgrad/simdgrad/kernels"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/cpu"
)

// validNames are the values of SIMDGRAD_KERNELS and of Impl.
var validNames = []string{"generic", "avx2", "avx512", "neon"}

// ladders lists the implementations of each architecture family from
// fastest to slowest; a cap allows the names at or below it on its ladder.
var ladders = [][]string{
	{"avx512", "avx2", "generic"},
	{"neon", "generic"},
}

// expectedChoice returns the implementation that a cap must select from
// the available ones (fastest first): the first available name at or below
// the cap on its ladder, or the fastest available one when the cap is
// empty.
func expectedChoice(available []string, limit string) string {
	if limit == "" {
		return available[0]
	}
	for _, ladder := range ladders {
		i := slices.Index(ladder, limit)
		if i < 0 {
			continue
		}
		for _, name := range ladder[i:] {
			if slices.Contains(available, name) {
				return name
			}
		}
	}
	return "generic"
}

func TestImplIsAvailable(t *testing.T) {
	require.Contains(t, validNames, kernels.Impl())
	require.Contains(t, kernels.Available(), kernels.Impl())
}

func TestAvailableOrder(t *testing.T) {
	available := kernels.Available()
	require.NotEmpty(t, available)
	require.Equal(t, "generic", available[len(available)-1], "generic must be the last resort in %v", available)
	for i, name := range available {
		require.Contains(t, validNames, name)
		require.NotContains(t, available[:i], name, "%q listed twice in %v", name, available)
	}
	// Names that share a ladder are listed fastest first.
	for _, ladder := range ladders {
		var onLadder []int
		for _, name := range available {
			if i := slices.Index(ladder, name); i >= 0 {
				onLadder = append(onLadder, i)
			}
		}
		require.True(t, slices.IsSorted(onLadder), "Available() = %v is not fastest first on ladder %v", available, ladder)
	}
}

func TestChooseImplementation(t *testing.T) {
	for _, limit := range append([]string{""}, validNames...) {
		t.Run("cap="+limit, func(t *testing.T) {
			got := kernels.ChooseImplementation(limit)
			require.Equal(t, expectedChoice(kernels.Available(), limit), got, "Available() = %v", kernels.Available())
		})
	}
	require.Equal(t, "generic", kernels.ChooseImplementation("generic"))
}

// unknownCaps are values of SIMDGRAD_KERNELS that name no implementation:
// the match is exact, so case and spaces matter.
var unknownCaps = []string{"bogus", "AVX2", "avx", "sse4", "Generic", " generic", "generic ", "all", "avx2,generic", "avx2, avx512", "generic, avx2"}

func TestChooseImplementationRejectsUnknown(t *testing.T) {
	for _, limit := range unknownCaps {
		message := panicMessage(func() { kernels.ChooseImplementation(limit) })
		require.NotEmpty(t, message, "cap %q did not panic", limit)
		requireListsValidNames(t, message, limit)
	}
}

// panicMessage calls f and returns the string it panics with, or "" if it
// returns normally.
func panicMessage(f func()) (message string) {
	defer func() {
		if r := recover(); r != nil {
			message = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// requireListsValidNames requires a start-up panic message that starts
// with the package name, quotes the rejected value and lists every valid
// one.
func requireListsValidNames(t *testing.T, message, limit string) {
	t.Helper()
	require.Contains(t, message, fmt.Sprintf("kernels: SIMDGRAD_KERNELS=%q", limit))
	for _, name := range validNames {
		require.Contains(t, message, name, "message %q does not list %q", message, name)
	}
}

// childEnv marks a re-run of the test binary that a test started to see
// the start-up choice under other environment variables.
const childEnv = "SIMDGRAD_DISPATCH_TEST_CHILD"

// isChild reports whether this process is such a re-run.
func isChild() bool { return os.Getenv(childEnv) == "1" }

// runChild re-runs the test binary with only the test called name and the
// extra environment variables, and returns its combined output and exit
// error.
//
// Under go test -exec with a user-mode emulator, and without binfmt_misc,
// the binary of another architecture cannot be started directly. runChild
// then starts it under qemu-ARCH-static from PATH, the emulator that the
// Makefile's cross-architecture runs use. A child may therefore see other
// CPU features than its parent, so the tests compare a child's choice with
// its own list of available implementations.
func runChild(t *testing.T, name string, env ...string) (string, error) {
	t.Helper()
	args := []string{"-test.run=^" + name + "$", "-test.v", "-test.count=1"}
	run := func(path string, args ...string) (string, error) {
		cmd := exec.Command(path, args...)
		cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(os.Args[0], args...)
	if !errors.Is(err, syscall.ENOEXEC) {
		return out, err
	}
	emulator, lookErr := exec.LookPath("qemu-" + qemuArch() + "-static")
	require.NoError(t, lookErr, "cannot start the test binary (%v) and no emulator for %s is on PATH", err, runtime.GOARCH)
	return run(emulator, append([]string{os.Args[0]}, args...)...)
}

// qemuArch returns QEMU's name for the architecture of this binary.
func qemuArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i386"
	}
	return runtime.GOARCH
}

// Children print their choice and the implementations they could run, in
// lines that start with these prefixes, for the parent to read.
const (
	implPrefix      = "child: Impl() = "
	availablePrefix = "child: Available() = "
)

// reportChoice prints the choice of a child for its parent to read.
func reportChoice() {
	fmt.Printf("%s%s\n%s%s\n", implPrefix, kernels.Impl(), availablePrefix, strings.Join(kernels.Available(), ","))
}

// childChoice returns the choice that a child reported and the
// implementations that it could run.
func childChoice(t *testing.T, output string) (impl string, available []string) {
	t.Helper()
	for line := range strings.Lines(output) {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, implPrefix); ok {
			impl = v
		}
		if v, ok := strings.CutPrefix(line, availablePrefix); ok {
			available = strings.Split(v, ",")
		}
	}
	require.NotEmpty(t, impl, "child reported no choice; output:\n%s", output)
	require.NotEmpty(t, available, "child reported no available implementations; output:\n%s", output)
	return impl, available
}

// TestStartupRejectsUnknownCap re-runs the test binary with an unknown
// SIMDGRAD_KERNELS, which must panic while the package initialises, before
// any test runs.
func TestStartupRejectsUnknownCap(t *testing.T) {
	if isChild() {
		t.Fatalf("start-up accepted SIMDGRAD_KERNELS=%q and chose %s", os.Getenv("SIMDGRAD_KERNELS"), kernels.Impl())
	}
	output, err := runChild(t, "TestStartupRejectsUnknownCap", "SIMDGRAD_KERNELS=bogus")
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "child with SIMDGRAD_KERNELS=bogus exited with %v; output:\n%s", err, output)
	require.NotZero(t, exitErr.ExitCode(), "output:\n%s", output)
	require.Contains(t, output, "panic: ", "the child must fail by panicking at start-up")
	requireListsValidNames(t, output, "bogus")
}

// TestStartupCap re-runs the test binary with each valid SIMDGRAD_KERNELS
// and checks the choice that the child made at start-up.
func TestStartupCap(t *testing.T) {
	if isChild() {
		reportChoice()
		return
	}
	for _, limit := range validNames {
		t.Run(limit, func(t *testing.T) {
			output, err := runChild(t, "TestStartupCap", "SIMDGRAD_KERNELS="+limit)
			require.NoError(t, err, "output:\n%s", output)
			impl, available := childChoice(t, output)
			require.Equal(t, expectedChoice(available, limit), impl, "child's available implementations: %v", available)
			if limit == "generic" {
				require.Equal(t, "generic", impl)
			}
		})
	}
}

// TestStartupGODEBUG checks that turning AVX2 off through GODEBUG, which
// golang.org/x/sys/cpu reads, keeps the AVX2 and AVX-512 paths from being
// chosen.
func TestStartupGODEBUG(t *testing.T) {
	if isChild() {
		reportChoice()
		return
	}
	output, err := runChild(t, "TestStartupGODEBUG", "GODEBUG=cpu.avx2=off", "SIMDGRAD_KERNELS=")
	require.NoError(t, err, "output:\n%s", output)
	impl, available := childChoice(t, output)
	require.NotContains(t, available, "avx2")
	require.NotContains(t, available, "avx512")
	require.NotEqual(t, "avx2", impl)
	require.NotEqual(t, "avx512", impl)
}

// TestExpectedImplementation fails when the dispatched implementation is
// not the one that SIMDGRAD_EXPECT_IMPL names, so that CI on a machine with
// AVX2 fails when the AVX2 path was not taken.
func TestExpectedImplementation(t *testing.T) {
	want := os.Getenv("SIMDGRAD_EXPECT_IMPL")
	if want == "" {
		t.Skipf("SIMDGRAD_EXPECT_IMPL is unset or empty, so the dispatched implementation (%s) is not checked; "+
			"set it to the name this machine must run, for example avx2", kernels.Impl())
	}
	require.Equal(t, want, kernels.Impl(),
		"SIMDGRAD_EXPECT_IMPL=%s; available: %v; CPU features: %+v", want, kernels.Available(), kernels.CPUFeatures())
}

// TestDispatchMatchesCPUFeatures checks that each implementation built in
// is available exactly when the CPU has its features, that those features
// agree with golang.org/x/sys/cpu, and that the start-up choice is the
// fastest available one that SIMDGRAD_KERNELS allows.
func TestDispatchMatchesCPUFeatures(t *testing.T) {
	f := kernels.CPUFeatures()
	assert.Equal(t, cpu.X86.HasAVX2 && cpu.X86.HasFMA, f.AVX2FMA, "AVX2FMA")
	assert.Equal(t, f.AVX2FMA && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL &&
		cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ, f.AVX512, "AVX512")
	assert.Equal(t, runtime.GOARCH == "arm64", f.NEON, "NEON")

	needs := map[string]bool{"generic": true, "avx2": f.AVX2FMA, "avx512": f.AVX512, "neon": f.NEON}
	registered := kernels.Registered()
	require.Contains(t, registered, "generic")
	for _, name := range registered {
		require.Contains(t, validNames, name, "registered implementation")
		assert.Equal(t, needs[name], slices.Contains(kernels.Available(), name),
			"implementation %s is registered; available must equal its CPU features %+v", name, f)
	}

	// The test process has the environment that start-up read.
	limit := os.Getenv("SIMDGRAD_KERNELS")
	require.Equal(t, expectedChoice(kernels.Available(), limit), kernels.Impl(),
		"SIMDGRAD_KERNELS=%q, registered %v, available %v", limit, registered, kernels.Available())
}
