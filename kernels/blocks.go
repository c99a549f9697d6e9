package kernels

// blockLen is the number of elements that one assembly call of an
// elementwise kernel handles at most. Assembly is not preemptible, so long
// slices are cut into blocks of 64 Ki elements (256 KiB, tens of
// microseconds) to keep the time between preemption points short.
const blockLen = 1 << 16

// minRowCost is the number of elements that a row counts as, at least,
// when rows are grouped into blocks: each row costs a loop setup and a
// masked tail, so many short rows take longer than their element count
// suggests.
const minRowCost = 64

// unaryInBlocks calls f(y, x) on successive blocks of at most blockLen
// elements.
func unaryInBlocks(f func(y, x []float32), y, x []float32) {
	for len(y) > blockLen {
		f(y[:blockLen], x[:blockLen])
		y, x = y[blockLen:], x[blockLen:]
	}
	f(y, x[:len(y)])
}

// unaryScalarInBlocks calls f(y, x, s) on successive blocks of at most
// blockLen elements.
func unaryScalarInBlocks(f func(y, x []float32, s float32), y, x []float32, s float32) {
	for len(y) > blockLen {
		f(y[:blockLen], x[:blockLen], s)
		y, x = y[blockLen:], x[blockLen:]
	}
	f(y, x[:len(y)], s)
}

// binaryInBlocks calls f(dx, dy, y) on successive blocks of at most
// blockLen elements.
func binaryInBlocks(f func(dx, dy, y []float32), dx, dy, y []float32) {
	for len(dx) > blockLen {
		f(dx[:blockLen], dy[:blockLen], y[:blockLen])
		dx, dy, y = dx[blockLen:], dy[blockLen:], y[blockLen:]
	}
	f(dx, dy[:len(dx)], y[:len(dx)])
}

// binaryScalarInBlocks calls f(dx, dy, y, s) on successive blocks of at
// most blockLen elements.
func binaryScalarInBlocks(f func(dx, dy, y []float32, s float32), dx, dy, y []float32, s float32) {
	for len(dx) > blockLen {
		f(dx[:blockLen], dy[:blockLen], y[:blockLen], s)
		dx, dy, y = dx[blockLen:], dy[blockLen:], y[blockLen:]
	}
	f(dx, dy[:len(dx)], y[:len(dx)], s)
}

// rowBlock returns the shape of the blocks that a row-wise kernel over a
// matrix of n columns is cut into. Columns go in strips of width ≤
// blockLen and rows in groups of at most rows, so that one block costs
// about blockLen elements or fewer.
func rowBlock(n int) (width, rows int) {
	width = min(n, blockLen)
	return width, blockLen / max(width, minRowCost)
}
