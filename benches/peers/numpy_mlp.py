#!/usr/bin/env python3
"""The benchmark workloads in plain numpy (forward and backward written out,
products through numpy's BLAS), printing the same JSON lines as
`cargo run --release --bin throughput`, for a side-by-side comparison.

    /tmp/perf-venv/bin/python benches/peers/numpy_mlp.py --workloads W1,W2,W3,W4 --threads 1

One step is what the other peers do: forward, loss, backward, SGD update
(PyTorch's rules: weight decay adds l2*w to the gradient of the weights
only; momentum v <- mu*v + g, w <- w - lr*v), in float32, on one batch
generated once. The BLAS threads are limited before numpy is imported.
"""

import os

from common import WORKLOADS, parse_args, run_all


def build(name, seed):
    import numpy as np

    sizes, act, batch, classify, lr, momentum, l2 = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    f32 = np.float32
    # torch.nn.Linear's initialization: U(-1/sqrt(in), 1/sqrt(in))
    weights = [rng.uniform(-1, 1, (b, a)).astype(f32) / f32(np.sqrt(a)) for a, b in zip(sizes, sizes[1:])]
    biases = [rng.uniform(-1, 1, b).astype(f32) / f32(np.sqrt(a)) for a, b in zip(sizes, sizes[1:])]
    params = weights + biases
    velocity = [np.zeros_like(p) for p in params]
    x = rng.standard_normal((batch, sizes[0])).astype(f32)
    if classify:
        y = rng.integers(0, sizes[-1], batch)
    else:
        y = rng.standard_normal((batch, sizes[-1])).astype(f32)
    rows = np.arange(batch)

    def step():
        # forward, keeping each layer's input and activation output
        inputs, h = [], x
        for i, (w, b) in enumerate(zip(weights, biases)):
            inputs.append(h)
            h = h @ w.T + b
            if i < len(weights) - 1:
                h = np.tanh(h) if act == "tanh" else np.maximum(h, 0)
        if classify:
            z = h - h.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
            g = e / s
            g[rows, y] -= 1
            g /= batch
        else:
            d = h - y
            loss = float(np.mean(d * d))
            g = (2 / d.size) * d
        # backward, last layer first; inputs[i + 1] is layer i's activation output
        grads_w, grads_b = [None] * len(weights), [None] * len(weights)
        for i in reversed(range(len(weights))):
            grads_w[i] = g.T @ inputs[i]
            grads_b[i] = g.sum(axis=0)
            if i > 0:
                g = g @ weights[i]
                a = inputs[i]
                g = g * (1 - a * a) if act == "tanh" else g * (a > 0)
        # SGD with PyTorch's weight decay and momentum
        for p, grad, v, decay in zip(params, grads_w + grads_b, velocity,
                                     [l2] * len(weights) + [0.0] * len(biases)):
            if decay:
                grad = grad + f32(decay) * p
            if momentum:
                v *= f32(momentum)
                v += grad
                grad = v
            p -= f32(lr) * grad
        return loss

    def run(steps):
        loss = None
        for _ in range(steps):
            loss = step()
        return loss

    flops = 6 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return run, flops


def main():
    args = parse_args(__doc__)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    run_all("numpy", np.__version__, build, args)


if __name__ == "__main__":
    main()
