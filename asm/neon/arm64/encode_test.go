package arm64

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// requireGNUEnv turns the skip of the GNU as comparisons into a failure,
// for CI machines that install binutils-aarch64-linux-gnu.
const requireGNUEnv = "SIMDGRAD_REQUIRE_GNU_AS"

const (
	gnuAs      = "aarch64-linux-gnu-as"
	gnuObjdump = "aarch64-linux-gnu-objdump"
)

// gnuTools returns the paths of GNU as and objdump for aarch64, or skips
// the test when they are missing (fails if requireGNUEnv is 1).
func gnuTools(t *testing.T) (as, objdump string) {
	t.Helper()
	as, errAs := exec.LookPath(gnuAs)
	objdump, errObjdump := exec.LookPath(gnuObjdump)
	if errAs == nil && errObjdump == nil {
		return as, objdump
	}
	msg := fmt.Sprintf("%s or %s not found on PATH (Debian and Ubuntu package binutils-aarch64-linux-gnu)", gnuAs, gnuObjdump)
	if os.Getenv(requireGNUEnv) == "1" {
		t.Fatalf("%s, and %s=1 requires them", msg, requireGNUEnv)
	}
	t.Skipf("skipping the comparison with GNU as: %s; set %s=1 to make this a failure", msg, requireGNUEnv)
	return "", ""
}

// disassembled is one instruction as objdump prints it.
type disassembled struct {
	word uint32
	text string // mnemonic and operands, separated by one space
}

// gnuAssemble assembles the GNU-syntax lines, one instruction each, and
// returns each one's machine word and objdump's reading of it.
func gnuAssemble(t *testing.T, lines []string) []disassembled {
	t.Helper()
	as, objdump := gnuTools(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "insts.s")
	obj := filepath.Join(dir, "insts.o")
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "\t%s\n", l)
	}
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("%s failed: %v\n%s", gnuAs, err, firstLines(out, 40))
	}
	out, err := exec.Command(objdump, "-d", "--no-show-raw-insn", "-z", obj).Output()
	if err != nil {
		t.Fatalf("%s -d failed: %v", gnuObjdump, err)
	}
	// --no-show-raw-insn drops the word, so read it with a second pass.
	raw, err := exec.Command(objdump, "-d", "-z", obj).Output()
	if err != nil {
		t.Fatalf("%s -d failed: %v", gnuObjdump, err)
	}
	texts := objdumpLines(out, false)
	words := objdumpLines(raw, true)
	if len(texts) != len(lines) || len(words) != len(lines) {
		t.Fatalf("%s printed %d and %d instructions for %d lines", gnuObjdump, len(texts), len(words), len(lines))
	}
	result := make([]disassembled, len(lines))
	for i := range lines {
		w, err := strconv.ParseUint(words[i], 16, 32)
		if err != nil {
			t.Fatalf("objdump word %q: %v", words[i], err)
		}
		result[i] = disassembled{uint32(w), texts[i]}
	}
	return result
}

// objdumpLines returns, for each instruction line of objdump -d output
// ("   4:\t4ea0f841 \tfabs\tv1.4s, v2.4s"), the hex word when raw is set
// and otherwise the instruction text with single spaces.
func objdumpLines(out []byte, raw bool) []string {
	var result []string
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		addr, rest, ok := strings.Cut(s.Text(), ":\t")
		if !ok || strings.TrimSpace(addr) == "" || strings.ContainsAny(strings.TrimSpace(addr), " <") {
			continue
		}
		if raw {
			result = append(result, strings.Fields(rest)[0])
			continue
		}
		result = append(result, strings.Join(strings.Fields(rest), " "))
	}
	return result
}

func firstLines(out []byte, n int) string {
	lines := strings.SplitN(string(out), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// goAssemble assembles the Go-syntax lines, one instruction each, for
// GOARCH=arm64 and returns each one's machine word, failing if a line
// becomes other than one 4-byte instruction.
func goAssemble(t *testing.T, lines []string) []uint32 {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "insts.s")
	var b strings.Builder
	// The instructions start on line 3; NOFRAME keeps the assembler from
	// adding a prologue.
	b.WriteString("#include \"textflag.h\"\nTEXT ·f(SB), NOSPLIT|NOFRAME, $0-0\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "\t%s\n", l)
	}
	// A last RET marks where the final instruction under test ends,
	// because the hex dump is padded.
	b.WriteString("\tRET\n")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "asm", "-S", "-p", "insts",
		"-I", filepath.Join(strings.TrimSpace(string(goroot)), "pkg", "include"),
		"-o", "insts.o", "insts.s")
	// Run in dir with a relative name, which the listing then quotes.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool asm failed: %v\n%s", err, firstLines(out, 40))
	}
	pcs, code := parseGoListing(t, out, "insts.s")
	words := make([]uint32, len(lines))
	for i := range lines {
		pc, ok := pcs[i+3]
		next, okNext := pcs[i+4]
		if !ok || !okNext || next-pc != 4 {
			t.Fatalf("Go assembled %q into %d bytes, want one instruction", lines[i], next-pc)
		}
		words[i] = uint32(code[pc]) | uint32(code[pc+1])<<8 | uint32(code[pc+2])<<16 | uint32(code[pc+3])<<24
	}
	return words
}

// parseGoListing reads the listing of go tool asm -S: the pc of each
// source line of file, and the function's code bytes.
func parseGoListing(t *testing.T, out []byte, file string) (pcs map[int]int, code []byte) {
	t.Helper()
	pcs = map[int]int{}
	s := bufio.NewScanner(bytes.NewReader(out))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "0x") {
			continue
		}
		if len(fields) >= 3 && strings.HasPrefix(fields[2], "("+file+":") {
			lineText := strings.TrimSuffix(strings.TrimPrefix(fields[2], "("+file+":"), ")")
			n, err := strconv.Atoi(lineText)
			pc, err2 := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || err2 != nil {
				t.Fatalf("unreadable listing line %q", s.Text())
			}
			if _, seen := pcs[n]; !seen {
				pcs[n] = int(pc)
			}
			continue
		}
		// A hex dump line: offset, then up to 16 bytes, then their text.
		for _, f := range fields[1:] {
			if len(f) != 2 {
				break
			}
			v, err := strconv.ParseUint(f, 16, 8)
			if err != nil {
				break
			}
			code = append(code, byte(v))
		}
	}
	return pcs, code
}

// registerTriples returns operand register numbers that put every
// register in every field: d = i, n and m shifted so that the three differ.
func registerTriples() [][3]VReg {
	var r [][3]VReg
	for i := range 32 {
		r = append(r, [3]VReg{VReg(i), VReg((i + 11) % 32), VReg((i + 23) % 32)})
	}
	return r
}

// encoderCase is one encoder and the mnemonic that its GNU text must start
// with.
type encoderCase struct {
	mnemonic string
	insts    func() []Inst // every encoding of this case that the test checks
}

func threeSameCase(mnemonic string, f func(d, n, m Vector) Inst, arrs []Arrangement) encoderCase {
	return encoderCase{mnemonic, func() []Inst {
		var out []Inst
		for _, a := range arrs {
			for _, r := range registerTriples() {
				out = append(out, f(r[0].As(a), r[1].As(a), r[2].As(a)))
			}
		}
		return out
	}}
}

func twoRegCase(mnemonic string, f func(d, n Vector) Inst, arrs []Arrangement) encoderCase {
	return encoderCase{mnemonic, func() []Inst {
		var out []Inst
		for _, a := range arrs {
			for _, r := range registerTriples() {
				out = append(out, f(r[0].As(a), r[1].As(a)))
			}
		}
		return out
	}}
}

func byElementCase(mnemonic string, f func(d, n Vector, e Element) Inst) encoderCase {
	return encoderCase{mnemonic, func() []Inst {
		var out []Inst
		for _, a := range fpArrangements {
			for _, r := range registerTriples() {
				lanes := 4
				if a == D2 {
					lanes = 2
				}
				for lane := range lanes {
					e := Element{r[2], S4, lane}
					if a == D2 {
						e = r[2].D(lane)
					}
					out = append(out, f(r[0].As(a), r[1].As(a), e))
				}
			}
		}
		return out
	}}
}

func shiftCase(mnemonic string, f func(d, n Vector, shift int) Inst) encoderCase {
	return encoderCase{mnemonic, func() []Inst {
		var out []Inst
		for _, a := range intArrangements {
			for shift := 1; shift <= a.LaneBits(); shift++ {
				r := registerTriples()[shift%32]
				out = append(out, f(r[0].As(a), r[1].As(a), shift))
			}
		}
		return out
	}}
}

var encoderCases = []encoderCase{
	threeSameCase("fadd", FADD, fpArrangements),
	threeSameCase("fsub", FSUB, fpArrangements),
	threeSameCase("fmul", FMUL, fpArrangements),
	threeSameCase("fdiv", FDIV, fpArrangements),
	threeSameCase("fmax", FMAX, fpArrangements),
	threeSameCase("fmin", FMIN, fpArrangements),
	threeSameCase("fmaxnm", FMAXNM, fpArrangements),
	threeSameCase("fminnm", FMINNM, fpArrangements),
	threeSameCase("fmulx", FMULX, fpArrangements),
	threeSameCase("fabd", FABD, fpArrangements),
	threeSameCase("fcmeq", FCMEQ, fpArrangements),
	threeSameCase("fcmge", FCMGE, fpArrangements),
	threeSameCase("fcmgt", FCMGT, fpArrangements),
	threeSameCase("facge", FACGE, fpArrangements),
	threeSameCase("facgt", FACGT, fpArrangements),
	threeSameCase("faddp", FADDP, fpArrangements),
	threeSameCase("fmaxp", FMAXP, fpArrangements),
	threeSameCase("fminp", FMINP, fpArrangements),
	threeSameCase("frecps", FRECPS, fpArrangements),
	threeSameCase("frsqrts", FRSQRTS, fpArrangements),

	twoRegCase("fabs", FABS, fpArrangements),
	twoRegCase("fneg", FNEG, fpArrangements),
	twoRegCase("fsqrt", FSQRT, fpArrangements),
	twoRegCase("frintn", FRINTN, fpArrangements),
	twoRegCase("frintm", FRINTM, fpArrangements),
	twoRegCase("frintp", FRINTP, fpArrangements),
	twoRegCase("frintz", FRINTZ, fpArrangements),
	twoRegCase("frinta", FRINTA, fpArrangements),
	twoRegCase("frintx", FRINTX, fpArrangements),
	twoRegCase("frinti", FRINTI, fpArrangements),
	twoRegCase("fcvtns", FCVTNS, fpArrangements),
	twoRegCase("fcvtms", FCVTMS, fpArrangements),
	twoRegCase("fcvtas", FCVTAS, fpArrangements),
	twoRegCase("fcvtps", FCVTPS, fpArrangements),
	twoRegCase("fcvtzs", FCVTZS, fpArrangements),
	twoRegCase("fcvtnu", FCVTNU, fpArrangements),
	twoRegCase("fcvtmu", FCVTMU, fpArrangements),
	twoRegCase("fcvtau", FCVTAU, fpArrangements),
	twoRegCase("fcvtpu", FCVTPU, fpArrangements),
	twoRegCase("fcvtzu", FCVTZU, fpArrangements),
	twoRegCase("scvtf", SCVTF, fpArrangements),
	twoRegCase("ucvtf", UCVTF, fpArrangements),
	twoRegCase("frecpe", FRECPE, fpArrangements),
	twoRegCase("frsqrte", FRSQRTE, fpArrangements),
	twoRegCase("fcmgt", FCMGTZ, fpArrangements),
	twoRegCase("fcmeq", FCMEQZ, fpArrangements),
	twoRegCase("fcmlt", FCMLTZ, fpArrangements),
	twoRegCase("fcmge", FCMGEZ, fpArrangements),
	twoRegCase("fcmle", FCMLEZ, fpArrangements),

	twoRegCase("cmgt", CMGTZ, intArrangements),
	twoRegCase("cmeq", CMEQZ, intArrangements),
	twoRegCase("cmlt", CMLTZ, intArrangements),
	twoRegCase("cmge", CMGEZ, intArrangements),
	twoRegCase("cmle", CMLEZ, intArrangements),
	twoRegCase("abs", ABS, intArrangements),
	twoRegCase("neg", NEG, intArrangements),
	twoRegCase("mvn", MVN, byteArrangements),

	threeSameCase("cmgt", CMGT, intArrangements),
	threeSameCase("cmge", CMGE, intArrangements),
	threeSameCase("cmhi", CMHI, intArrangements),
	threeSameCase("cmhs", CMHS, intArrangements),
	threeSameCase("sshl", SSHL, intArrangements),
	threeSameCase("ushl", USHL, intArrangements),
	threeSameCase("smax", SMAX, intArrangements[:6]),
	threeSameCase("smin", SMIN, intArrangements[:6]),
	threeSameCase("mul", MUL, intArrangements[:6]),
	threeSameCase("bic", BIC, byteArrangements),
	threeSameCase("orn", ORN, byteArrangements),

	byElementCase("fmla", FMLAE),
	byElementCase("fmls", FMLSE),
	byElementCase("fmul", FMULE),
	byElementCase("fmulx", FMULXE),

	shiftCase("sshr", SSHR),
	shiftCase("ssra", SSRA),
	shiftCase("srshr", SRSHR),
	shiftCase("urshr", URSHR),
	shiftCase("srsra", SRSRA),
	shiftCase("ursra", URSRA),
}

// TestEncodingsMatchGNUAs assembles the GNU text of every encoding of
// every encoder with GNU as and requires the same machine word. objdump
// must then read that word back as the same text, so that the bits and the
// comment written beside each WORD agree.
func TestEncodingsMatchGNUAs(t *testing.T) {
	var insts []Inst
	for _, c := range encoderCases {
		for _, i := range c.insts() {
			if !i.Encoded {
				t.Fatalf("%s: %q is not an encoded instruction", c.mnemonic, i)
			}
			if m, _, _ := strings.Cut(i.GNU, " "); m != c.mnemonic {
				t.Fatalf("encoder for %s wrote %q", c.mnemonic, i.GNU)
			}
			insts = append(insts, i)
		}
	}
	lines := make([]string, len(insts))
	for i, inst := range insts {
		lines[i] = inst.GNU
	}
	got := gnuAssemble(t, lines)
	mismatches := 0
	for i, inst := range insts {
		if got[i].word != inst.Bits || got[i].text != inst.GNU {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("%s: encoder %#08x, GNU as %#08x, which objdump reads as %q",
					inst.GNU, inst.Bits, got[i].word, got[i].text)
			}
		}
	}
	t.Logf("compared %d encodings of %d instruction forms with GNU as: %d mismatches",
		len(insts), len(encoderCases), mismatches)

	// The .s file gets each encoding as WORD $bits: Go's assembler must
	// write those bits unchanged.
	goLines := make([]string, len(insts))
	for i, inst := range insts {
		goLines[i] = inst.String()
	}
	words := goAssemble(t, goLines)
	for i, inst := range insts {
		if words[i] != inst.Bits {
			t.Fatalf("%q assembled by Go to %#08x", goLines[i], words[i])
		}
	}
}

// nativeCases returns instructions of Go's assembler that have a GNU
// equivalent, over several register choices.
func nativeCases() []Inst {
	var out []Inst
	for k, r := range registerTriples()[:8] {
		d, n, m := r[0], r[1], r[2]
		base, step := Reg(k), Reg(k+9)
		for _, a := range byteArrangements {
			for _, f := range []func(d, n, m Vector) Inst{VAND, VORR, VEOR, VBSL, VBIT, VBIF} {
				out = append(out, f(d.As(a), n.As(a), m.As(a)))
			}
			out = append(out, VMOV(d.As(a), n.As(a)))
		}
		for _, a := range []Arrangement{B16, H8, S4, S2, D2} {
			out = append(out, VADD(d.As(a), n.As(a), m.As(a)), VSUB(d.As(a), n.As(a), m.As(a)),
				VCMEQ(d.As(a), n.As(a), m.As(a)), VSHL(d.As(a), n.As(a), k), VUSHR(d.As(a), n.As(a), k+1),
				VSLI(d.As(a), n.As(a), (k+2)%a.LaneBits()), VSRI(d.As(a), n.As(a), k+1), VDUP(d.As(a), step))
		}
		for _, a := range fpArrangements {
			out = append(out, VFMLA(d.As(a), n.As(a), m.As(a)), VFMLS(d.As(a), n.As(a), m.As(a)))
		}
		lane := k % 4
		out = append(out,
			VDUPE(d.S4(), n.S(lane)), VDUPE(d.D2(), n.D(lane%2)), VMOVLane(d.S(lane), step),
			VMOVLane(d.D(lane%2), step))
		for count := 1; count <= 4; count++ {
			vs := make([]Vector, count)
			for i := range vs {
				vs[i] = ((d + VReg(i)) % 28).S4()
			}
			out = append(out, VLD1(base, vs...), VLD1P(base, vs...), VLD1PStep(base, step, vs...),
				VST1(base, vs...), VST1P(base, vs...), VST1PStep(base, step, vs...))
		}
		out = append(out, VLD1LanePStep(base, step, d.S(lane)),
			FMOVSLoad(d, base), FMOVSLoadP(d, base), FMOVSStore(base, d), FMOVSStoreP(base, d),
			MOVD(base, step), ADDI(base, step, 16*k+4), SUBI(base, step, 4095-k), SUBSI(base, base, 64),
			CMPI(step, 16*k), ADD(base, step, Reg(k+1)), LSLI(base, step, k+1))
	}
	return append(out, RET())
}

// TestNativeMatchesGNUAs assembles the Go syntax of the native
// instructions with Go's assembler and their GNU syntax with GNU as, and
// requires the same machine words: this checks the operand order that Go
// reverses.
func TestNativeMatchesGNUAs(t *testing.T) {
	insts := nativeCases()
	goLines := make([]string, len(insts))
	gnuLines := make([]string, len(insts))
	for i, inst := range insts {
		if inst.Encoded || inst.GNU == "" {
			t.Fatalf("%q is not a native instruction with GNU syntax", inst)
		}
		goLines[i], gnuLines[i] = inst.Go, inst.GNU
	}
	gnu := gnuAssemble(t, gnuLines)
	words := goAssemble(t, goLines)
	for i := range insts {
		if words[i] != gnu[i].word {
			t.Errorf("Go %q is %#08x, GNU %q is %#08x (%s)", goLines[i], words[i], gnuLines[i], gnu[i].word, gnu[i].text)
		}
	}
	t.Logf("compared %d native instructions with GNU as", len(insts))
}

// TestEncoderRejectsBadOperands checks that constructors panic on operands
// that have no encoding rather than write wrong bits.
func TestEncoderRejectsBadOperands(t *testing.T) {
	cases := map[string]func(){
		"integer arrangement":   func() { FADD(V0.B16(), V1.B16(), V2.B16()) },
		"mixed arrangements":    func() { FMUL(V0.S4(), V1.S2(), V2.S4()) },
		"lane size":             func() { FMULE(V0.S4(), V1.S4(), V2.D(0)) },
		"lane index":            func() { FMLAE(V0.S4(), V1.S4(), V2.S(4)) },
		"shift zero":            func() { SSHR(V0.S4(), V1.S4(), 0) },
		"shift past lane":       func() { SSHR(V0.S4(), V1.S4(), 33) },
		"left shift past lane":  func() { VSHL(V0.S4(), V1.S4(), 32) },
		"register list gap":     func() { VLD1(R0, V1.S4(), V3.S4()) },
		"register list size":    func() { VST1(R0) },
		"immediate":             func() { ADDI(R0, R1, 4096) },
		"D2 multiply":           func() { MUL(V0.D2(), V1.D2(), V2.D2()) },
		"vector register range": func() { FADD(VReg(32).S4(), V1.S4(), V2.S4()) },
		"general register":      func() { MOVD(Reg(31), R0) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			f()
		})
	}
}
