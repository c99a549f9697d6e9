"""Write the PyTorch fixtures that the mlp tests compare against.

Run it with Debian's Python, which has PyTorch 1.13 (the python3 first on
PATH may not have torch). It writes dense.json, losses.json and sgd.json
beside itself, wherever it is run from:

    /usr/bin/python3 mlp/testdata/make_fixtures.py

CI does not run this script, because the tests read only the JSON files,
which are committed. Rerun it, and commit its output, only when a fixture
needs to change. The output is the same on every run.

Every float is stored as a JSON string holding the shortest decimal that
parses back to the same float32 (strconv.ParseFloat(s, 32) in Go), so the
fixtures are exact. Matrices are flattened row-major. W is stored In×Out, the
transpose of nn.Linear's weight, because that is the layout of mlp.Dense.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

assert torch.__version__.startswith("1.13"), torch.__version__
torch.set_num_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))

# Pre-activations closer to 0 than this are rejected, so that a rounding
# difference between PyTorch's GEMM and ours cannot move one across the kink
# of ReLU or LeakyReLU.
KINK_MARGIN = 0.05
KINKED = ("relu", "leakyrelu")


def floats(t):
    """Return t flattened row-major as exact float32 decimal strings."""
    values = t.detach().to(torch.float32).numpy().ravel()
    out = []
    for v in values:
        s = str(v)
        assert np.float32(s).view(np.uint32) == v.view(np.uint32), (s, v)
        out.append(s)
    return out


def activate(name, z, slope):
    if name == "linear":
        return z
    if name == "relu":
        return torch.relu(z)
    if name == "leakyrelu":
        return F.leaky_relu(z, slope)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    raise ValueError(name)


def uniform(gen, shape, bound):
    return (torch.rand(shape, generator=gen) * 2 - 1) * bound


def dense_case(name, activation, slope, n_in, n_out, batch, seed):
    """Return one Dense forward and backward. For ReLU and LeakyReLU it
    retries seeds until every pre-activation is at least KINK_MARGIN away
    from 0."""
    while True:
        gen = torch.Generator().manual_seed(seed)
        bound = 1 / math.sqrt(n_in)
        weight = uniform(gen, (n_out, n_in), bound).requires_grad_()
        bias = uniform(gen, (n_out,), bound).requires_grad_()
        x = torch.randn((batch, n_in), generator=gen).requires_grad_()
        dy = torch.randn((batch, n_out), generator=gen)
        z = F.linear(x, weight, bias)
        if activation not in KINKED or z.abs().min().item() >= KINK_MARGIN:
            break
        seed += 1000
    y = activate(activation, z, slope)
    y.backward(dy)
    return {
        "name": name,
        "activation": activation,
        "slope": floats(torch.tensor([slope]))[0],
        "in": n_in,
        "out": n_out,
        "batch": batch,
        "w": floats(weight.t()),
        "b": floats(bias),
        "x": floats(x),
        "dy": floats(dy),
        "y": floats(y),
        "dx": floats(x.grad),
        "grad_w": floats(weight.grad.t()),
        "grad_b": floats(bias.grad),
    }


def dense_fixtures():
    cases = [
        dense_case("linear", "linear", 0.01, 5, 4, 3, 1),
        dense_case("relu", "relu", 0.01, 5, 4, 3, 2),
        dense_case("leakyrelu", "leakyrelu", 0.01, 5, 4, 3, 3),
        dense_case("leakyrelu slope 0.2", "leakyrelu", 0.2, 5, 4, 3, 4),
        dense_case("sigmoid", "sigmoid", 0.01, 5, 4, 3, 5),
        dense_case("tanh", "tanh", 0.01, 5, 4, 3, 6),
        # Sizes that are not multiples of any register tile.
        dense_case("tanh 37x19 batch 13", "tanh", 0.01, 37, 19, 13, 7),
    ]
    return {"cases": cases}


def cross_entropy_case(name, logits, labels):
    logits = torch.tensor(logits, dtype=torch.float32).requires_grad_()
    labels = torch.tensor(labels, dtype=torch.int64)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    assert torch.isfinite(loss), name
    return {
        "name": name,
        "classes": logits.shape[1],
        "logits": floats(logits),
        "labels": labels.tolist(),
        "loss": floats(loss.reshape(1))[0],
        "grad": floats(logits.grad),
    }


def mse_case(name, pred, target):
    pred = pred.clone().requires_grad_()
    loss = F.mse_loss(pred, target)
    loss.backward()
    return {
        "name": name,
        "pred": floats(pred),
        "target": floats(target),
        "loss": floats(loss.reshape(1))[0],
        "grad": floats(pred.grad),
    }


def loss_fixtures():
    gen = torch.Generator().manual_seed(10)
    random_logits = (torch.randn((4, 5), generator=gen) * 3).tolist()
    random_labels = torch.randint(0, 5, (4,), generator=gen).tolist()
    cross_entropy = [
        cross_entropy_case("random", random_logits, random_labels),
        cross_entropy_case(
            "logits of ±1e8",
            [[1e8, -1e8, 0.0], [-1e8, 1e8, 3.0], [1e8, 1e8, -1e8], [-1e8, -1e8, -1e8]],
            [1, 1, 0, 2],
        ),
        cross_entropy_case(
            "all-equal rows",
            [[2.0, 2.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0], [-7.5, -7.5, -7.5, -7.5]],
            [0, 3, 1],
        ),
    ]
    pred = torch.randn((3, 4), generator=gen)
    target = torch.randn((3, 4), generator=gen)
    mse = [
        mse_case("random", pred, target),
        mse_case("pred equals target", target, target),
    ]
    return {"cross_entropy": cross_entropy, "mse": mse}


def layer_state(layer):
    return {"w": floats(layer.weight.t()), "b": floats(layer.bias)}


def sgd_case(name, activation, sizes, batch, lr, momentum, steps, seed):
    """Return steps of torch.optim.SGD on an MLP of the given sizes with
    SoftmaxCrossEntropy, retrying seeds until no ReLU pre-activation comes
    within KINK_MARGIN of 0 at any step."""
    while True:
        gen = torch.Generator().manual_seed(seed)
        linears = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            layer = torch.nn.Linear(n_in, n_out)
            with torch.no_grad():
                bound = 1 / math.sqrt(n_in)
                layer.weight.copy_(uniform(gen, layer.weight.shape, bound))
                layer.bias.copy_(uniform(gen, layer.bias.shape, bound))
            linears.append(layer)
        initial = [layer_state(layer) for layer in linears]
        params = [p for layer in linears for p in layer.parameters()]
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum)

        records = []
        near_kink = False
        for _ in range(steps):
            x = torch.randn((batch, sizes[0]), generator=gen)
            labels = torch.randint(0, sizes[-1], (batch,), generator=gen)
            opt.zero_grad()
            h = x
            for i, layer in enumerate(linears):
                h = layer(h)
                if i < len(linears) - 1:
                    if h.abs().min().item() < KINK_MARGIN:
                        near_kink = True
                    h = activate(activation, h, 0.01)
            loss = F.cross_entropy(h, labels)
            loss.backward()
            opt.step()
            records.append({
                "x": floats(x),
                "labels": labels.tolist(),
                "loss": floats(loss.detach().reshape(1))[0],
                "layers": [layer_state(layer) for layer in linears],
            })
        if activation not in KINKED or not near_kink:
            break
        seed += 1000
    return {
        "name": name,
        "activation": activation,
        "sizes": sizes,
        "batch": batch,
        "lr": floats(torch.tensor([lr]))[0],
        "momentum": floats(torch.tensor([momentum]))[0],
        "initial": initial,
        "steps": records,
    }


def sgd_fixtures():
    return {"cases": [
        sgd_case("tanh 4-3-2", "tanh", [4, 3, 2], 5, 0.1, 0.9, 3, 20),
        sgd_case("relu 4-3-2", "relu", [4, 3, 2], 5, 0.1, 0.9, 3, 21),
    ]}


def to_json(value, indent=""):
    """Return value as JSON with one key per line and every list of scalars
    on a single line, which keeps the files short and their diffs readable."""
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [inner + to_json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def write(name, fixture):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        f.write(to_json(fixture) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    write("dense.json", dense_fixtures())
    write("losses.json", loss_fixtures())
    write("sgd.json", sgd_fixtures())
