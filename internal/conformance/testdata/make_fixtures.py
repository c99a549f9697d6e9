#!/usr/bin/python3
"""Write the reference fixtures of the conformance suite from PyTorch and NumPy.

Run it with Debian's interpreter, which has torch 1.13 and numpy installed
(the python3 that comes first on PATH may lack them), from any directory:

    /usr/bin/python3 internal/conformance/testdata/make_fixtures.py

It rewrites activations.json, gemm.json and rows.json beside itself. CI does
not run it: the JSON files are committed, and the Go tests only read them.
It needs a CPU with AVX2, and its output is deterministic for a given torch
and numpy.

Every float32 is stored as its bit pattern, 8 lower-case hex digits, so that
NaN, ±Inf, -0 and subnormals survive exactly. A list of floats is a JSON array
of strings, each holding up to one matrix row (or 8 values) of hex words
separated by spaces.

The activation values come from PyTorch's CPU kernels. The script runs them in
worker processes with ATEN_CPU_CAPABILITY set, because PyTorch 1.13 picks a
kernel by CPU capability and the kernels round differently: its AVX2
tanh_backward fuses 1 - y*y into one FMA, its default kernel does not. Both
results are stored, and the worker checks that no other gradient depends on
the capability.
"""

import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# A quiet NaN with a payload, written into the padding between rows and
# nowhere else, so that a kernel that reads or writes padding shows up.
GUARD_BITS = 0x7FC0DEAD

SLOPES = [0.01, 0.2]

F32_MAX = float(np.finfo(np.float32).max)
F32_MIN_NORMAL = float(np.finfo(np.float32).tiny)
F32_MIN_SUBNORMAL = float(np.float32(2.0**-149))


# ---------------------------------------------------------------- encoding


def to_words(values):
    """Return the hex bit patterns of values (anything np.float32 accepts)."""
    bits = np.asarray(values, dtype=np.float32).reshape(-1).view(np.uint32)
    return ["%08x" % b for b in bits.tolist()]


def rows_of(words, width):
    """Group hex words into strings of at most width words."""
    return [" ".join(words[i : i + width]) for i in range(0, len(words), width)]


def encode(values, width=8):
    return rows_of(to_words(values), width)


def decode(rows):
    words = " ".join(rows).split()
    bits = np.array([int(w, 16) for w in words], dtype=np.uint32)
    return bits.view(np.float32)


def encode_matrix(buffer, ld):
    """Encode a row-major buffer as one string per row of ld elements."""
    return rows_of(to_words(buffer), ld)


# ---------------------------------------------------------------- workers


def capability():
    """Return the CPU capability that this torch process dispatches to."""
    config = torch.__config__.show()
    return config.split("CPU capability usage:")[1].split()[0]


def worker_forward(request):
    x = torch.from_numpy(decode(request["x"]))
    out = {
        "relu": torch.relu(x),
        "leaky_relu": [torch.nn.functional.leaky_relu(x, s) for s in SLOPES],
        "sigmoid": torch.sigmoid(x),
        "tanh": torch.tanh(x),
    }
    return {
        "relu": encode(out["relu"].numpy()),
        "leaky_relu": [encode(y.numpy()) for y in out["leaky_relu"]],
        "sigmoid": encode(out["sigmoid"].numpy()),
        "tanh": encode(out["tanh"].numpy()),
    }


def worker_backward(request):
    """Apply PyTorch's CPU backward formulas to the given forward outputs.

    These are the functions that autograd calls for each op, applied directly
    so that the gradient gets exactly the stored y. leaky_relu_backward gets
    self_is_result=True because our gradient kernels take the forward output.
    """
    y_relu = torch.from_numpy(decode(request["relu"]))
    y_leaky = [torch.from_numpy(decode(rows)) for rows in request["leaky_relu"]]
    y_sigmoid = torch.from_numpy(decode(request["sigmoid"]))
    y_tanh = torch.from_numpy(decode(request["tanh"]))
    sets = []
    for dy_rows in request["dy"]:
        dy = torch.from_numpy(decode(dy_rows))
        relu = torch.ops.aten.threshold_backward(dy, y_relu, 0)
        leaky = [
            torch.ops.aten.leaky_relu_backward(dy, y, s, True)
            for y, s in zip(y_leaky, SLOPES)
        ]
        sigmoid = torch.ops.aten.sigmoid_backward(dy, y_sigmoid)
        tanh = torch.ops.aten.tanh_backward(dy, y_tanh)
        sets.append(
            {
                "relu": encode(relu.numpy()),
                "leaky_relu": [encode(g.numpy()) for g in leaky],
                "sigmoid": encode(sigmoid.numpy()),
                "tanh": encode(tanh.numpy()),
            }
        )
    return sets


def run_worker(cpu_capability, mode, request):
    """Run this script as a worker under ATEN_CPU_CAPABILITY=cpu_capability."""
    env = dict(os.environ, ATEN_CPU_CAPABILITY=cpu_capability)
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", mode],
        input=json.dumps(request),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    reply = json.loads(result.stdout)
    return reply["capability"], reply["result"]


def worker_main(mode):
    request = json.load(sys.stdin)
    if mode == "forward":
        result = worker_forward(request)
    elif mode == "backward":
        result = worker_backward(request)
    else:
        raise SystemExit("make_fixtures.py: unknown worker mode %r" % mode)
    json.dump({"capability": capability(), "result": result}, sys.stdout)


# ---------------------------------------------------------------- activations


def activation_inputs(rng):
    specials = [-0.0, 0.0, float("nan"), float("inf"), float("-inf")]
    magnitudes = [
        F32_MIN_SUBNORMAL,
        1e-40,  # a subnormal with many significant bits
        F32_MIN_NORMAL,
        1e-8,
        0.5,
        1.0,
        9.0,  # float32 tanh rounds to ±1 from about here
        10.0,
        20.0,
        87.33655,  # about ln(smallest normal float32)
        88.0,
        88.72283,  # about ln(max float32), where float32 exp overflows
        89.0,
        100.0,
        103.97,  # float32 e^-x underflows to zero past about here
        1e4,
        1e30,
        F32_MAX,
    ]
    for m in magnitudes:
        specials += [m, -m]
    random = (rng.standard_normal(200) * 5).astype(np.float32)
    return np.concatenate([np.array(specials, dtype=np.float32), random])


def gradient_inputs(rng, n):
    """Return the dy sets as (name, values) pairs, each of length n."""
    return [
        ("one", np.ones(n, dtype=np.float32)),
        ("minus_2_5", np.full(n, -2.5, dtype=np.float32)),
        ("random", rng.standard_normal(n).astype(np.float32)),
        ("neg_zero", np.full(n, -0.0, dtype=np.float32)),
        ("pos_inf", np.full(n, np.inf, dtype=np.float32)),
        ("nan", np.full(n, np.nan, dtype=np.float32)),
    ]


def make_activations(rng):
    x = activation_inputs(rng)
    reported, forward = run_worker("avx2", "forward", {"x": encode(x)})
    if reported != "AVX2":
        raise SystemExit(
            "make_fixtures.py: torch ran %s kernels, want AVX2: run it on a CPU with AVX2"
            % reported
        )

    dy_sets = gradient_inputs(rng, len(x))
    request = dict(forward, dy=[encode(dy) for _, dy in dy_sets])
    reported, fused = run_worker("avx2", "backward", request)
    if reported != "AVX2":
        raise SystemExit("make_fixtures.py: the avx2 worker ran %s kernels" % reported)
    # torch reports its default, scalar-only kernels as "NO" vector capability.
    reported, unfused = run_worker("default", "backward", request)
    if reported != "NO":
        raise SystemExit("make_fixtures.py: the default worker ran %s kernels" % reported)

    grads = []
    for (name, dy), avx2, default in zip(dy_sets, fused, unfused):
        # Only tanh_backward may differ between the two kernels. Anything
        # else would need a second reference in the Go test too.
        for key in ("relu", "leaky_relu", "sigmoid"):
            if avx2[key] != default[key]:
                raise SystemExit(
                    "make_fixtures.py: %s gradient, dy %s, depends on the CPU capability"
                    % (key, name)
                )
        grads.append(
            {
                "name": name,
                "dy": encode(dy),
                "relu": avx2["relu"],
                "leaky_relu": avx2["leaky_relu"],
                "sigmoid": avx2["sigmoid"],
                "tanh_fused": avx2["tanh"],
                "tanh_unfused": default["tanh"],
            }
        )

    return {
        "about": (
            "Forward outputs of torch.relu, torch.nn.functional.leaky_relu, "
            "torch.sigmoid and torch.tanh on float32 x, from the AVX2 kernels. "
            "Gradients from torch.ops.aten.threshold_backward(dy, relu, 0), "
            "leaky_relu_backward(dy, leaky_relu, slope, True), "
            "sigmoid_backward(dy, sigmoid) and tanh_backward(dy, tanh), where "
            "y is the stored forward output. tanh_fused comes from the AVX2 "
            "kernel, which computes dy*fma(-y, y, 1); tanh_unfused from the "
            "default kernel, which computes dy*(1 - y*y) with two roundings."
        ),
        "forward_capability": "avx2",
        "tanh_fused_capability": "avx2",
        "tanh_unfused_capability": "default",
        "slopes": encode(np.array(SLOPES, dtype=np.float32)),
        "x": encode(x),
        "relu": forward["relu"],
        "leaky_relu": forward["leaky_relu"],
        "sigmoid": forward["sigmoid"],
        "tanh": forward["tanh"],
        "grads": grads,
    }


# ---------------------------------------------------------------- gemm


def padded(matrix, ld):
    """Lay matrix out row-major with leading dimension ld.

    The padding contains GUARD_BITS, and the buffer ends after the last row's
    last element: the shortest slice that the kernels accept.
    """
    rows, cols = matrix.shape
    buffer = np.full(rows * ld, GUARD_BITS, dtype=np.uint32).view(np.float32)
    for i in range(rows):
        buffer[i * ld : i * ld + cols] = matrix[i]
    if rows == 0:
        return buffer
    return buffer[: (rows - 1) * ld + cols]


# (m, n, k) and the padding added to each leading dimension: lda, ldb, ldc.
GEMM_SHAPES = [
    ((1, 1, 1), (0, 0, 0)),
    ((3, 5, 7), (2, 1, 3)),
    ((17, 9, 33), (3, 5, 1)),
    ((48, 48, 48), (1, 2, 3)),  # whole 6-, 8-, 12- and 16-wide register tiles
    ((5, 100, 3), (4, 0, 7)),
    ((70, 3, 5), (1, 1, 1)),  # more rows than one 64-row block of A
    ((2, 3, 260), (2, 3, 1)),  # k longer than one 256-deep block
]

GEMM_SCALARS = [(1.0, 0.0), (-0.5, 1.5), (2.0, 1.0)]


def make_gemm(rng):
    shapes = []
    for (m, n, k), (pad_a, pad_b, pad_c) in GEMM_SHAPES:
        op_a = rng.standard_normal((m, k)).astype(np.float32)
        op_b = rng.standard_normal((k, n)).astype(np.float32)
        c = rng.standard_normal((m, n)).astype(np.float32)
        lda_n, lda_t = k + pad_a, m + pad_a
        ldb_n, ldb_t = n + pad_b, k + pad_b
        ldc = n + pad_c

        product = op_a.astype(np.float64) @ op_b.astype(np.float64)
        results = []
        for alpha, beta in GEMM_SCALARS:
            want = alpha * product
            if beta != 0:
                want = want + beta * c.astype(np.float64)
            results.append(
                {
                    "alpha": to_words([alpha])[0],
                    "beta": to_words([beta])[0],
                    "c": encode_matrix(padded(want.astype(np.float32), ldc), ldc),
                }
            )

        shapes.append(
            {
                "name": "m%dn%dk%d" % (m, n, k),
                "m": m,
                "n": n,
                "k": k,
                "lda_n": lda_n,
                "a_n": encode_matrix(padded(op_a, lda_n), lda_n),
                "lda_t": lda_t,
                "a_t": encode_matrix(padded(op_a.T.copy(), lda_t), lda_t),
                "ldb_n": ldb_n,
                "b_n": encode_matrix(padded(op_b, ldb_n), ldb_n),
                "ldb_t": ldb_t,
                "b_t": encode_matrix(padded(op_b.T.copy(), ldb_t), ldb_t),
                "ldc": ldc,
                "c": encode_matrix(padded(c, ldc), ldc),
                "results": results,
            }
        )
    return {
        "about": (
            "C = alpha*op(A)*op(B) + beta*C computed by numpy in float64 and "
            "rounded to float32, once per alpha and beta; the result does not "
            "depend on the transposes. a_n is A stored m x k (transA false) "
            "with leading dimension lda_n, a_t is A stored k x m (transA "
            "true); b_n and b_t likewise. Padding between rows contains the "
            "guard NaN, and each buffer ends after its last element. With "
            "beta 0 the input C is not used."
        ),
        "guard": "%08x" % GUARD_BITS,
        "shapes": shapes,
    }


# ---------------------------------------------------------------- rows


def special_matrix(m, n):
    """Return an m x n matrix whose columns mix ±0, ±Inf and NaN."""
    a = np.full((m, n), 1.5, dtype=np.float32)
    a[:, 0] = -0.0
    a[:, 1] = 0.0
    a[0, 2] = np.inf
    a[0, 3] = -np.inf
    a[0, 4] = np.inf
    a[m - 1, 4] = -np.inf
    a[1, 5] = np.nan
    a[:, 6] = F32_MAX
    a[:, 7] = F32_MIN_SUBNORMAL
    return a


def special_bias(n):
    bias = np.array(
        [-0.0, -0.0, 1.0, -np.inf, np.inf, np.nan, -F32_MAX, F32_MIN_SUBNORMAL],
        dtype=np.float32,
    )
    return bias[:n]


# (m, n) and the padding added to the leading dimension.
ROW_SHAPES = [
    ((1, 1), 0),
    ((3, 7), 2),
    ((17, 33), 0),
    ((32, 33), 5),
    ((100, 5), 0),
    ((500, 3), 1),  # long columns, where rounding errors add up
]


def make_rows(rng):
    cases = []
    for (m, n), pad in ROW_SHAPES:
        a = rng.standard_normal((m, n)).astype(np.float32)
        bias = rng.standard_normal(n).astype(np.float32)
        cases.append(("m%dn%d" % (m, n), a, bias, n + pad))
    cases.append(("special", special_matrix(4, 8), special_bias(8), 9))

    out = []
    with np.errstate(invalid="ignore", over="ignore"):
        for name, a, bias, ld in cases:
            m, n = a.shape
            # Two float32 values added in float64 and rounded to float32 give
            # the correctly rounded float32 sum, so AddBias has one correct
            # result.
            biased = a.astype(np.float64) + bias.astype(np.float64)
            sums = a.astype(np.float64).sum(axis=0)
            out.append(
                {
                    "name": name,
                    "m": m,
                    "n": n,
                    "ld": ld,
                    "a": encode_matrix(padded(a, ld), ld),
                    "bias": encode(bias),
                    "add_bias": encode_matrix(padded(biased.astype(np.float32), ld), ld),
                    "sum_rows": encode(sums.astype(np.float32)),
                }
            )
    out.append(
        {
            "name": "m0n4",
            "m": 0,
            "n": 4,
            "ld": 4,
            "a": [],
            "bias": encode(np.ones(4)),
            "add_bias": [],
            "sum_rows": encode(np.zeros(4)),
        }
    )
    return {
        "about": (
            "Each case is an m x n matrix a with leading dimension ld and a "
            "bias row. add_bias is a with bias added to every row, from "
            "float64 rounded to float32, which is the correctly rounded "
            "float32 sum. sum_rows is the float64 sum of each column of a "
            "rounded to float32, so a float32 kernel matches it only within "
            "a rounding tolerance. Padding between rows contains the guard NaN."
        ),
        "guard": "%08x" % GUARD_BITS,
        "cases": out,
    }


# ---------------------------------------------------------------- main


def write(name, content):
    content = dict(
        generator="make_fixtures.py",
        torch=torch.__version__,
        numpy=np.__version__,
        **content,
    )
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(content, f, indent=1)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2])
        return
    # One generator, used in a fixed order, so that the files are reproducible.
    rng = np.random.default_rng(20260801)
    write("activations.json", make_activations(rng))
    write("gemm.json", make_gemm(rng))
    write("rows.json", make_rows(rng))


if __name__ == "__main__":
    main()
