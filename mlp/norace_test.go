//go:build !race

package mlp_test

// raceEnabled reports whether the race detector is on, under which
// sync.Pool drops items at random and pooling code allocates.
const raceEnabled = false
