// Package freelist keeps idle buffers for reuse, so that a warm kernel call
// allocates nothing.
package freelist

import "sync"

// List is a stack of idle buffers, safe for concurrent use. Unlike a
// sync.Pool, which the garbage collector empties, it keeps them across
// collections. It keeps every buffer returned to it, so it holds as many as
// were ever lent at once, and Get allocates only when more buffers are in
// use at once than ever before.
type List[T any] struct {
	mu   sync.Mutex
	idle []*T
}

// Get returns an idle buffer, or a new zeroed one when there is none.
func (l *List[T]) Get() *T {
	l.mu.Lock()
	n := len(l.idle)
	if n == 0 {
		l.mu.Unlock()
		return new(T)
	}
	buf := l.idle[n-1]
	l.idle[n-1] = nil
	l.idle = l.idle[:n-1]
	l.mu.Unlock()
	return buf
}

// Put returns buf to the list.
func (l *List[T]) Put(buf *T) {
	l.mu.Lock()
	l.idle = append(l.idle, buf)
	l.mu.Unlock()
}
