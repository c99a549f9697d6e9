package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// peerProcess is a running Python script in its --serve mode, which times
// a peer library (PyTorch, OpenBLAS through numpy) on request. Each request
// is one line and each reply a line of nanoseconds; the script's first line
// describes the library.
type peerProcess struct {
	script string
	mu     sync.Mutex
	stdin  io.Writer
	stdout *bufio.Reader
}

// peer starts the script of a peerProcess once, when a benchmark first
// needs it, and keeps the process or the reason it could not start.
type peer struct {
	script string // path relative to bench/
	once   sync.Once
	proc   *peerProcess
	err    error
}

// pytorch times training steps in bench/pytorch/train_step.py.
var pytorch = &peer{script: "pytorch/train_step.py"}

// process returns the running script, starting it on the first call, and
// skips b when /usr/bin/python3 or the library that the script imports is
// missing.
func (p *peer) process(b *testing.B) *peerProcess {
	p.once.Do(func() {
		p.proc, p.err = startPeer(b, p.script)
	})
	if p.err != nil {
		b.Skipf("peer not benchmarked: %v", p.err)
	}
	return p.proc
}

// startPeer starts python on script --serve with one OpenBLAS thread and
// logs the script's first line. It removes OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE from the environment of the process, because some
// machines set them to steer old OpenBLAS builds off kernels that fail
// there. They would time a slower kernel than the one that OpenBLAS picks
// for the CPU. The process exits when the benchmark binary does, because
// its input closes.
func startPeer(b *testing.B, script string) (*peerProcess, error) {
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("%s not found", python)
	}

	cmd := exec.Command(python, script, "--serve")
	for _, v := range os.Environ() {
		name, _, _ := strings.Cut(v, "=")
		switch name {
		case "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS":
		default:
			cmd.Env = append(cmd.Env, v)
		}
	}
	cmd.Env = append(cmd.Env, "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}

	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s %s: %w", python, script, err)
	}

	p := &peerProcess{script: script, stdin: stdin, stdout: bufio.NewReader(stdout)}
	about, err := p.stdout.ReadString('\n')
	if err != nil {
		_ = cmd.Wait()
		return nil, fmt.Errorf("%s exited at start (%v): %s", script, cmd.ProcessState,
			strings.TrimSpace(stderr.String()))
	}
	b.Logf("%s through %s: %s", script, python, strings.TrimSpace(about))
	return p, nil
}

// time sends request and returns the nanoseconds of the reply.
func (p *peerProcess) time(request string) (float64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := fmt.Fprintln(p.stdin, request); err != nil {
		return 0, fmt.Errorf("%s: %w", p.script, err)
	}
	line, err := p.stdout.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("%s: no reply to %q: %w", p.script, request, err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
	if err != nil {
		return 0, fmt.Errorf("%s: invalid reply to %q: %s", p.script, request, strings.TrimSpace(line))
	}
	return ns, nil
}
