//go:build race

package conformance

// raceEnabled reports whether the race detector is on. Under it, sync.Pool
// drops a quarter of the items put into it, so a kernel that reuses pooled
// buffers allocates on some calls.
const raceEnabled = true
