package arm64

import (
	"bytes"
	"fmt"
	"go/format"
	"strings"
)

// Type is the Go type of an assembly function's parameter.
type Type int

// The parameter types that the generators need.
const (
	Float32Slice Type = iota // []float32: base pointer, length and capacity
	Int                      // int, 64 bits on arm64
	Float32                  // float32
)

var types = [...]struct {
	goName      string
	size, align int
}{
	Float32Slice: {"[]float32", 24, 8},
	Int:          {"int", 8, 8},
	Float32:      {"float32", 4, 4},
}

// Param is one parameter of an assembly function.
type Param struct {
	Name string
	Type Type
}

// Arg is a reference to a parameter, or to one word of a slice parameter,
// in the argument frame, such as x_base+24(FP). go vet's asmdecl check
// matches these names and offsets against the Go declaration.
type Arg struct {
	name   string
	offset int
	size   int
	slice  bool
}

// String returns the Go operand of the argument.
func (a Arg) String() string { return fmt.Sprintf("%s+%d(FP)", a.name, a.offset) }

func (a Arg) word(suffix string, index int) Arg {
	if !a.slice {
		panic("arm64: " + a.name + " is not a slice parameter")
	}
	return Arg{name: a.name + suffix, offset: a.offset + 8*index, size: 8}
}

// Base returns the slice's data pointer.
func (a Arg) Base() Arg { return a.word("_base", 0) }

// Len returns the slice's length.
func (a Arg) Len() Arg { return a.word("_len", 1) }

// Cap returns the slice's capacity.
func (a Arg) Cap() Arg { return a.word("_cap", 2) }

// LoadArg loads the argument a into d: MOVD for 8-byte arguments, MOVWU
// (zero-extending) for 4-byte ones such as float32, whose bits VDUP can
// then broadcast.
func LoadArg(d Reg, a Arg) Inst {
	d.check()
	if a.slice {
		panic("arm64: load " + a.name + "'s base, length or capacity, not the slice")
	}
	op := "MOVD"
	if a.size == 4 {
		op = "MOVWU"
	}
	return pseudo(fmt.Sprintf("%s\t%s, %s", op, a, d))
}

// line is one line of a function body.
type line struct {
	kind int // lineInst, lineComment or lineLabel
	text string
}

const (
	lineInst = iota
	lineComment
	lineLabel
)

// Func is an assembly function being written.
type Func struct {
	name    string
	params  []Param
	doc     []string
	args    map[string]Arg
	argSize int
	lines   []line
	labels  map[string]bool
	targets []string
}

// File is a set of assembly functions that become one .s file and one Go
// file of declarations.
type File struct {
	funcs []*Func
}

// Func starts a function called name with the given parameters and no
// results. Its frame is empty ($0) and it is NOSPLIT, so it must call
// nothing and use no stack.
func (f *File) Func(name string, params ...Param) *Func {
	fn := &Func{name: name, params: params, args: map[string]Arg{}, labels: map[string]bool{}}
	for _, p := range params {
		t := types[p.Type]
		fn.argSize = (fn.argSize + t.align - 1) / t.align * t.align
		if _, dup := fn.args[p.Name]; dup {
			panic("arm64: parameter " + p.Name + " declared twice in " + name)
		}
		fn.args[p.Name] = Arg{name: p.Name, offset: fn.argSize, size: t.size, slice: p.Type == Float32Slice}
		fn.argSize += t.size
	}
	f.funcs = append(f.funcs, fn)
	return fn
}

// Doc sets the doc comment of the Go declaration, one string per line,
// without the leading //.
func (fn *Func) Doc(lines ...string) { fn.doc = lines }

// Arg returns the parameter called name.
func (fn *Func) Arg(name string) Arg {
	a, ok := fn.args[name]
	if !ok {
		panic("arm64: " + fn.name + " has no parameter " + name)
	}
	return a
}

// Emit appends instructions to the function.
func (fn *Func) Emit(insts ...Inst) {
	for _, i := range insts {
		fn.lines = append(fn.lines, line{lineInst, i.String()})
		if i.target != "" {
			fn.targets = append(fn.targets, i.target)
		}
	}
}

// Comment appends comment lines, one per string, to carry the generator's
// reasoning into the .s file.
func (fn *Func) Comment(lines ...string) {
	for _, l := range lines {
		fn.lines = append(fn.lines, line{lineComment, l})
	}
}

// Label defines a branch target. Go's assembler scopes labels to their
// function, so names need only be unique within one.
func (fn *Func) Label(name string) {
	if fn.labels[name] {
		panic("arm64: label " + name + " defined twice in " + fn.name)
	}
	fn.labels[name] = true
	fn.lines = append(fn.lines, line{lineLabel, name})
}

// signature returns the parameter list, with adjacent parameters of one
// type grouped as gofmt users write them: (y, x []float32, slope float32).
func (fn *Func) signature() string {
	var parts []string
	for i, p := range fn.params {
		if i+1 < len(fn.params) && fn.params[i+1].Type == p.Type {
			parts = append(parts, p.Name)
			continue
		}
		parts = append(parts, p.Name+" "+types[p.Type].goName)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// check returns an error if a branch names a label that fn does not define.
func (fn *Func) check() error {
	for _, t := range fn.targets {
		if !fn.labels[t] {
			return fmt.Errorf("%s: branch to undefined label %s", fn.name, t)
		}
	}
	return nil
}

// header returns the first line of a generated file.
func header(command string) string {
	return "// Code generated by command: " + command + ". DO NOT EDIT.\n\n"
}

// Assembly returns the .s file: the generated-code line naming command,
// the build constraint, and every function in the order declared.
func (f *File) Assembly(command, constraint string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header(command))
	fmt.Fprintf(&b, "//go:build %s\n\n#include \"textflag.h\"\n", constraint)
	for _, fn := range f.funcs {
		if err := fn.check(); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d\n", fn.name, fn.signature(), fn.name, fn.argSize)
		writeBody(&b, fn.lines)
	}
	return b.Bytes(), nil
}

// writeBody writes the lines of a function, with a blank line before each
// label and the operands of each run of instructions aligned in one
// column.
func writeBody(b *bytes.Buffer, lines []line) {
	for start := 0; start < len(lines); {
		l := lines[start]
		switch l.kind {
		case lineLabel:
			fmt.Fprintf(b, "\n%s:\n", l.text)
			start++
			continue
		case lineComment:
			if l.text == "" {
				b.WriteString("\t//\n")
			} else {
				fmt.Fprintf(b, "\t// %s\n", l.text)
			}
			start++
			continue
		}
		end := start
		width := 0
		for ; end < len(lines) && lines[end].kind == lineInst; end++ {
			mnemonic, _, _ := strings.Cut(lines[end].text, "\t")
			width = max(width, len(mnemonic))
		}
		for _, l := range lines[start:end] {
			mnemonic, operands, ok := strings.Cut(l.text, "\t")
			if !ok {
				fmt.Fprintf(b, "\t%s\n", mnemonic)
				continue
			}
			fmt.Fprintf(b, "\t%-*s %s\n", width, mnemonic, operands)
		}
		start = end
	}
}

// Stubs returns the Go file that declares every function of the file in
// package pkg, each marked //go:noescape below its doc comment, formatted
// by gofmt.
func (f *File) Stubs(command, constraint, pkg string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header(command))
	fmt.Fprintf(&b, "//go:build %s\n\npackage %s\n", constraint, pkg)
	for _, fn := range f.funcs {
		b.WriteString("\n")
		for _, d := range fn.doc {
			fmt.Fprintf(&b, "// %s\n", d)
		}
		if len(fn.doc) > 0 {
			b.WriteString("//\n")
		}
		fmt.Fprintf(&b, "//go:noescape\nfunc %s%s\n", fn.name, fn.signature())
	}
	return format.Source(b.Bytes())
}
