package kernels

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
)

// threadsEnv names the environment variable that caps the number of
// goroutines that one Gemm call runs on.
const threadsEnv = "SIMDGRAD_THREADS"

// threadCap is the cap that SetMaxThreads last set, or that SIMDGRAD_THREADS
// set at start-up; 0 means no cap, so GOMAXPROCS and the number of CPUs
// limit Gemm.
var threadCap atomic.Int64

func init() {
	threadCap.Store(int64(parseThreads(os.Getenv(threadsEnv))))
}

// parseThreads returns the cap that a value of SIMDGRAD_THREADS sets: 0 for
// an empty value, the number for a positive integer. It panics on anything
// else, with a message that lists the valid values.
func parseThreads(value string) int {
	if value == "" {
		return 0
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 {
		panic(fmt.Sprintf("kernels: %s=%q is not valid: set a positive integer, such as 1 or 4, or leave it unset to use GOMAXPROCS or the number of CPUs, whichever is smaller",
			threadsEnv, value))
	}
	return n
}

// SetMaxThreads caps at n the number of goroutines that one Gemm call
// runs on, and returns the previous cap. A cap above the number of CPUs
// takes effect, but one above GOMAXPROCS counts as GOMAXPROCS. A cap of
// n ≤ 0 removes the cap, so that Gemm runs on up to GOMAXPROCS goroutines
// or runtime.NumCPU, whichever is smaller. The previous cap is 0 when there
// was none, so SetMaxThreads(previous) restores it. The start-up cap comes
// from the environment variable SIMDGRAD_THREADS.
//
// The cap changes only the speed: every element of C is summed in the same
// order whatever the number of goroutines, so Gemm returns the same bits
// for any cap. Calls already running keep the number they started with.
// The generic implementation runs every product on the calling goroutine.
// The SGD step of package mlp reads the same cap through MaxThreads.
// SetMaxThreads is safe for concurrent use.
func SetMaxThreads(n int) (previous int) {
	return int(threadCap.Swap(int64(max(n, 0))))
}

// MaxThreads returns the number of goroutines that one large Gemm call may
// run on: the cap of SetMaxThreads or SIMDGRAD_THREADS, or without a cap
// runtime.NumCPU, and never more than GOMAXPROCS. It is 1 when the generic
// implementation is active.
// Products of fewer than about a million multiply-adds, and calls made
// while other calls occupy the helper goroutines, run on fewer.
func MaxThreads() int {
	if active == genericImplementation {
		return 1
	}
	return threadLimit()
}

// threadLimit returns the cap of SetMaxThreads, or runtime.NumCPU when
// there is no cap, or GOMAXPROCS when that is smaller.
//
// Without a cap, goroutines beyond the CPUs would only take turns. With
// GOMAXPROCS 8 on the 2-core development machine, a 256×512×784 product
// took 3.0 to 3.3 ms on 8 goroutines, against 2.2 to 2.3 ms on one and 1.6
// ms on two.
func threadLimit() int {
	limit := runtime.NumCPU()
	if n := int(threadCap.Load()); n > 0 {
		limit = n
	}
	return min(limit, runtime.GOMAXPROCS(0))
}
