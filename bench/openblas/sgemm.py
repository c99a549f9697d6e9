"""Time float32 matrix products in numpy, which calls OpenBLAS's sgemm, for
comparison with simdgrad's Gemm benchmarks.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 sgemm.py [SHAPE...]

prints one line per shape in the format of `go test -bench`: the best time
per product of several timed runs. A SHAPE is MxNxK for C = A·B with A m×k
and B k×n; a -transA suffix stores A as k×m and a -transB suffix stores B as
n×k, and numpy passes the transposed views to sgemm without copying. With
no SHAPE, the shapes of BenchmarkGemm in bench/gemm_test.go are timed.

    sgemm.py --serve

reads requests "SHAPE ITERATIONS" from standard input, one per line, and
replies to each with the nanoseconds that ITERATIONS products took, so that
BenchmarkGemm can choose the iteration count as it does for Go code. Its
first line of output describes the OpenBLAS build.

Exit status 3 means numpy cannot be imported.
"""

import ctypes
import re
import sys
import time

try:
    import numpy as np
except ImportError as err:
    print(f"sgemm.py: numpy cannot be imported: {err}", file=sys.stderr)
    sys.exit(3)

DEFAULT_SHAPES = [
    "16x16x16", "32x32x32", "64x64x64", "128x128x128", "256x256x256",
    "512x512x512", "1024x1024x1024", "2048x2048x2048",
    "17x17x17", "100x100x100", "255x255x255", "333x333x333",
    "256x512x784", "784x512x256-transA", "256x784x512-transB",
    "1x512x784", "784x512x1-transA", "1x784x512-transB",
]

REPEATS = 5  # timed runs per shape in the standalone mode
MIN_RUN_NS = 100_000_000  # each timed run lasts at least 0.1 s


class Product:
    """Preallocated operands of one shape; run times out= products."""

    def __init__(self, shape):
        match = re.fullmatch(r"(\d+)x(\d+)x(\d+)(-transA)?(-transB)?", shape)
        if match is None:
            raise ValueError(f"invalid shape {shape!r}, expected MxNxK[-transA][-transB]")
        m, n, k = (int(g) for g in match.groups()[:3])
        self.flops = 2 * m * n * k
        rng = np.random.default_rng(1)
        a = rng.uniform(-1, 1, (k, m) if match[4] else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if match[5] else (k, n)).astype(np.float32)
        self.a = a.T if match[4] else a
        self.b = b.T if match[5] else b
        self.c = np.empty((m, n), np.float32)
        self.run(1)

    def run(self, iterations):
        """Return the nanoseconds that iterations products took."""
        a, b, c = self.a, self.b, self.c
        start = time.perf_counter_ns()
        for _ in range(iterations):
            np.matmul(a, b, out=c)
        return time.perf_counter_ns() - start


def describe_openblas():
    """Return numpy's version and the core type and thread count that the
    loaded OpenBLAS reports."""
    about = f"numpy {np.__version__}"
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
            return f"{about}, OpenBLAS {path}, core {core}, {lib.openblas_get_num_threads()} thread(s)"
        except (OSError, AttributeError):
            continue
    return f"{about}, no OpenBLAS library loaded"


def best_ns_per_op(product):
    iterations = 1
    while product.run(iterations) < MIN_RUN_NS // 10:
        iterations *= 10
    iterations = max(1, iterations * MIN_RUN_NS // max(1, product.run(iterations)))
    return min(product.run(iterations) for _ in range(REPEATS)) / iterations


def standalone(shapes):
    print(describe_openblas(), file=sys.stderr)
    for shape in shapes:
        product = Product(shape)
        ns = best_ns_per_op(product)
        print(f"BenchmarkGemm/impl=openblas/shape={shape}\t1\t{ns:.0f} ns/op\t"
              f"{product.flops / ns:.2f} GFLOP/s", flush=True)


def serve():
    print(describe_openblas(), flush=True)
    products = {}
    for line in sys.stdin:
        try:
            shape, iterations = line.split()
            if shape not in products:
                products[shape] = Product(shape)
            print(products[shape].run(int(iterations)), flush=True)
        except ValueError as err:
            print(f"error: {err}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        standalone(sys.argv[1:] or DEFAULT_SHAPES)
