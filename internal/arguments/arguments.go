// Package arguments validates the arguments of the simdgrad kernels, so that
// generic/ and kernels/ check them in one place, in one order, and panic with
// the same messages apart from the package prefix.
package arguments

import (
	"fmt"
	"math"
)

// Gemm panics with a message that starts with pkg (for example "kernels")
// when the arguments of C = alpha·op(A)·op(B) + beta·C are invalid. Sizes
// are checked first, then leading dimensions, then slice lengths. Lengths
// are not checked when m or n is zero, because nothing is read or written
// then. Gemm reports whether the caller must return at once (m or n is
// zero).
func Gemm(pkg string, transA, transB bool, m, n, k int,
	lenA, lda, lenB, ldb, lenC, ldc int) (quick bool) {
	switch {
	case m < 0:
		panic(fmt.Sprintf("%s: m %d < 0", pkg, m))
	case n < 0:
		panic(fmt.Sprintf("%s: n %d < 0", pkg, n))
	case k < 0:
		panic(fmt.Sprintf("%s: k %d < 0", pkg, k))
	}

	// op(A) is m×k, so A is stored m×k, or k×m when transposed.
	rowsA, colsA, nameA := m, k, "k"
	if transA {
		rowsA, colsA, nameA = k, m, "m"
	}
	// op(B) is k×n, so B is stored k×n, or n×k when transposed.
	rowsB, colsB, nameB := k, n, "n"
	if transB {
		rowsB, colsB, nameB = n, k, "k"
	}
	switch {
	case lda < colsA:
		panic(fmt.Sprintf("%s: lda %d < %s %d", pkg, lda, nameA, colsA))
	case ldb < colsB:
		panic(fmt.Sprintf("%s: ldb %d < %s %d", pkg, ldb, nameB, colsB))
	case ldc < n:
		panic(fmt.Sprintf("%s: ldc %d < n %d", pkg, ldc, n))
	}

	if m == 0 || n == 0 {
		return true
	}
	if need := MatrixLen(rowsA, colsA, lda); lenA < need {
		panic(fmt.Sprintf("%s: len(a) %d < %d", pkg, lenA, need))
	}
	if need := MatrixLen(rowsB, colsB, ldb); lenB < need {
		panic(fmt.Sprintf("%s: len(b) %d < %d", pkg, lenB, need))
	}
	if need := MatrixLen(m, n, ldc); lenC < need {
		panic(fmt.Sprintf("%s: len(c) %d < %d", pkg, lenC, need))
	}
	return false
}

// MatrixLen returns the number of elements that a row-major rows×cols matrix
// with leading dimension ld spans: the last row needs only cols elements.
// The callers have checked ld ≥ cols. A span that does not fit in an int
// returns math.MaxInt, which no slice reaches, so an overflowing shape fails
// the length check instead of wrapping to a small number.
func MatrixLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	if rows-1 > (math.MaxInt-cols)/ld {
		return math.MaxInt
	}
	return (rows-1)*ld + cols
}

// SameLen panics with a message that starts with pkg unless len(other)
// equals len(out); outName and otherName are the parameter names.
func SameLen(pkg, outName string, out int, otherName string, other int) {
	if other != out {
		panic(fmt.Sprintf("%s: len(%s) %d != len(%s) %d", pkg, otherName, other, outName, out))
	}
}

// Rows panics with a message that starts with pkg unless m and n are not
// negative, ld is at least n, the m×n matrix named matrix fits in lenMatrix
// elements, and the vector named vector has at least n elements. It reports
// whether the caller must return at once (m or n is zero) after the vector
// is handled.
func Rows(pkg string, m, n int, vector string, lenVector int,
	matrix string, lenMatrix, ld int) (quick bool) {
	switch {
	case m < 0:
		panic(fmt.Sprintf("%s: m %d < 0", pkg, m))
	case n < 0:
		panic(fmt.Sprintf("%s: n %d < 0", pkg, n))
	case ld < n:
		panic(fmt.Sprintf("%s: ld%s %d < n %d", pkg, matrix, ld, n))
	case lenVector < n:
		panic(fmt.Sprintf("%s: len(%s) %d < n %d", pkg, vector, lenVector, n))
	}
	if need := MatrixLen(m, n, ld); lenMatrix < need {
		panic(fmt.Sprintf("%s: len(%s) %d < %d", pkg, matrix, lenMatrix, need))
	}
	return m == 0 || n == 0
}
