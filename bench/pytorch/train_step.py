"""Time one training step of a 784-256-10 ReLU network in PyTorch on one
thread, for comparison with simdgrad's BenchmarkTrainingStep.

    /usr/bin/python3 train_step.py [--threads N]

prints one line in the format of `go test -bench`, with the same metrics as
BenchmarkTrainingStep in bench/ and mlp/: the best time per step of several
timed runs, steps/s and samples/s. A step is what simdgrad's step does on a
batch of 256: forward, softmax cross-entropy, backward (without the gradient
of the input) and torch.optim.SGD with lr 0.01 and momentum 0.9. With
--threads N, PyTorch runs on N threads instead of one, for comparison with
BenchmarkTrainingStepThreads in mlp/.

    train_step.py --serve

reads iteration counts from standard input, one per line, and replies to
each with the nanoseconds that that many steps took, so that the Go
benchmark can choose the count as it does for Go code. Its first line of
output describes the PyTorch build.

Exit status 3 means torch cannot be imported.
"""

import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:
    print(f"train_step.py: torch cannot be imported: {err}", file=sys.stderr)
    sys.exit(3)

SIZES = (784, 256, 10)
BATCH = 256
REPEATS = 5  # timed runs in the standalone mode
MIN_RUN_NS = 200_000_000  # each timed run lasts at least 0.2 s


class TrainingStep:
    """A network, its optimiser and one fixed batch; run times steps."""

    def __init__(self):
        torch.manual_seed(1)
        inputs, hidden, classes = SIZES
        self.net = torch.nn.Sequential(
            torch.nn.Linear(inputs, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, classes),
        )
        self.opt = torch.optim.SGD(self.net.parameters(), lr=0.01, momentum=0.9)
        self.x = torch.randn(BATCH, inputs)
        self.labels = torch.randint(0, classes, (BATCH,))
        # Warm-up: the first step allocates the momentum buffers.
        self.run(3)

    def run(self, iterations):
        """Return the nanoseconds that iterations training steps took."""
        net, opt, x, labels = self.net, self.opt, self.x, self.labels
        start = time.perf_counter_ns()
        for _ in range(iterations):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x), labels)
            loss.backward()
            opt.step()
        return time.perf_counter_ns() - start


def describe_torch():
    """Return torch's version, its thread count and the CPU capability that
    it dispatches to."""
    capability = "unknown CPU capability"
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            capability = line.strip(" -")
    return f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {capability}"


def best_ns_per_step(step):
    iterations = 1
    while step.run(iterations) < MIN_RUN_NS // 10:
        iterations *= 10
    iterations = max(1, iterations * MIN_RUN_NS // max(1, step.run(iterations)))
    return min(step.run(iterations) for _ in range(REPEATS)) / iterations, iterations


def standalone():
    print(describe_torch(), file=sys.stderr)
    ns, iterations = best_ns_per_step(TrainingStep())
    name = "BenchmarkTrainingStep/impl=pytorch"
    if torch.get_num_threads() > 1:
        name += f"/threads={torch.get_num_threads()}"
    print(f"{name}\t{iterations}\t{ns:.0f} ns/op\t"
          f"{1e9 / ns:.2f} steps/s\t{BATCH * 1e9 / ns:.0f} samples/s", flush=True)


def serve():
    print(describe_torch(), flush=True)
    step = TrainingStep()
    for line in sys.stdin:
        try:
            print(step.run(int(line)), flush=True)
        except ValueError as err:
            print(f"error: {err}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    torch.set_num_threads(1)
    if args == ["--serve"]:
        serve()
    elif not args:
        standalone()
    elif len(args) == 2 and args[0] == "--threads" and args[1].isdigit() and int(args[1]) > 0:
        torch.set_num_threads(int(args[1]))
        standalone()
    else:
        print(f"usage: {sys.argv[0]} [--serve | --threads N]", file=sys.stderr)
        sys.exit(2)
