package freelist

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestListKeepsMoreThanGOMAXPROCS lends more buffers at once than
// GOMAXPROCS, as more concurrent callers than processors do, and requires
// the same buffers back, without allocating, once they have been returned.
func TestListKeepsMoreThanGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var list List[[64]float32]
	const lent = 5
	first := make(map[*[64]float32]bool)
	bufs := make([]*[64]float32, lent)
	for i := range bufs {
		bufs[i] = list.Get()
		first[bufs[i]] = true
	}
	assert.Len(t, first, lent, "distinct buffers lent at once")
	for _, buf := range bufs {
		list.Put(buf)
	}
	for i := range bufs {
		bufs[i] = list.Get()
		assert.True(t, first[bufs[i]], "buffer %d of the second round is new", i)
	}
	for _, buf := range bufs {
		list.Put(buf)
	}

	allocs := testing.AllocsPerRun(20, func() {
		for i := range bufs {
			bufs[i] = list.Get()
		}
		for _, buf := range bufs {
			list.Put(buf)
		}
	})
	assert.Zero(t, allocs, "allocations per round of %d Gets and Puts", lent)
}
