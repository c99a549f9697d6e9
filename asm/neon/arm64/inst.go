package arm64

import "fmt"

// Inst is one machine instruction, or one Go pseudo-instruction.
type Inst struct {
	// Go is the instruction in Go assembler syntax, mnemonic and operands
	// separated by a tab. It is empty for an encoded instruction.
	Go string
	// GNU is the instruction in GNU as syntax. It is empty for Go
	// pseudo-instructions, such as MOVW of a 32-bit constant, that may
	// expand to several machine instructions or name Go's pseudo-registers.
	GNU string
	// Encoded reports that Go's assembler lacks the instruction, so it is
	// written as WORD $Bits.
	Encoded bool
	// Bits is the machine word of an encoded instruction.
	Bits uint32

	// target is the label that a branch jumps to.
	target string
}

// String returns the line that the instruction puts in a Go assembly file,
// without indentation.
func (i Inst) String() string {
	if i.Encoded {
		return fmt.Sprintf("WORD\t$0x%08x // %s", i.Bits, i.GNU)
	}
	return i.Go
}

// encoded returns the encoded instruction with the given bits and GNU
// syntax.
func encoded(bits uint32, format string, args ...any) Inst {
	return Inst{GNU: fmt.Sprintf(format, args...), Encoded: true, Bits: bits}
}

// native returns an instruction that Go's assembler supports, with its Go
// and GNU syntax.
func native(goText, gnu string) Inst { return Inst{Go: goText, GNU: gnu} }

// pseudo returns a Go instruction that has no single GNU equivalent.
func pseudo(goText string) Inst { return Inst{Go: goText} }
