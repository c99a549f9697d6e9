// Package alloccount counts the heap allocations of code that runs on
// several goroutines, for tests. testing.AllocsPerRun cannot: it sets
// GOMAXPROCS to 1 while it measures, so code that splits work by
// GOMAXPROCS takes its one-goroutine path there.
package alloccount

import "runtime"

// During runs f and returns the number of heap allocations, and their
// bytes, that every goroutine of the process made meanwhile.
func During(f func()) (mallocs, bytes uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
}
