#!/usr/bin/env python3
"""The benchmark workloads in JAX (one jit-compiled step), printing the same
JSON lines as `cargo run --release --bin throughput`, for a side-by-side
comparison.

    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install "jax[cpu]"
    /tmp/torch-venv/bin/python benches/peers/jax_mlp.py --workloads W1,W2,W3,W4 --threads 1

Keep the virtual environment outside the repository. One step is: forward,
loss, backward, SGD update (PyTorch's rule: g += wd·w on weights only,
buf = momentum·buf + g, w -= lr·buf), on one batch generated once, all in
one jit-compiled function whose parameter buffers are donated (updated in
place). `--threads N` pins the process to the first N cores before JAX
starts, and tells XLA to use N threads.
"""

import os

from common import WORKLOADS, parse_args, run_all


def build(name, seed):
    import jax
    import jax.numpy as jnp

    sizes, act, batch, classify, lr, momentum, l2 = WORKLOADS[name]
    act = jnp.tanh if act == "tanh" else jax.nn.relu
    key = jax.random.PRNGKey(seed)
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        key, kw, kb = jax.random.split(key, 3)
        bound = 1.0 / fan_in**0.5  # torch.nn.Linear's default init
        w = jax.random.uniform(kw, (fan_out, fan_in), jnp.float32, -bound, bound)
        b = jax.random.uniform(kb, (fan_out,), jnp.float32, -bound, bound)
        params.append((w, b))
    key, kx, ky = jax.random.split(key, 3)
    x = jax.random.normal(kx, (batch, sizes[0]), jnp.float32)
    if classify:
        y = jax.random.randint(ky, (batch,), 0, sizes[-1])
    else:
        y = jax.random.normal(ky, (batch, sizes[-1]), jnp.float32)
    bufs = jax.tree_util.tree_map(jnp.zeros_like, params)

    def loss_fn(params):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = act(h)
        if classify:
            logp = jax.nn.log_softmax(h)
            return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))
        return jnp.mean((h - y) ** 2)

    def step(params, bufs):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        new_params, new_bufs = [], []
        for (w, b), (gw, gb), (bw, bb) in zip(params, grads, bufs):
            gw = gw + l2 * w
            bw = momentum * bw + gw
            bb = momentum * bb + gb
            new_params.append((w - lr * bw, b - lr * bb))
            new_bufs.append((bw, bb))
        return new_params, new_bufs, loss

    step = jax.jit(step, donate_argnums=(0, 1))
    state = {"params": params, "bufs": bufs}

    def run(steps):
        loss = None
        for _ in range(steps):
            state["params"], state["bufs"], loss = step(state["params"], state["bufs"])
        return float(loss)  # waits for the last step

    flops = 6 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return run, flops


def main():
    args = parse_args(__doc__)
    # before JAX starts its thread pools: N cores, N threads
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.threads]))
    eigen = "false" if args.threads == 1 else "true"
    os.environ["XLA_FLAGS"] = (
        f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={args.threads}"
    )
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    run_all("jax", jax.__version__, build, args)


if __name__ == "__main__":
    main()
