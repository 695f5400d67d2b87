#!/usr/bin/env python3
"""The benchmark workloads in PyTorch (eager), printing the same JSON lines as
`cargo run --release --bin throughput`, for a side-by-side comparison.

    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch
    /tmp/torch-venv/bin/python benches/peers/torch_mlp.py --workloads W1,W2,W3,W4 --threads 1

Keep the virtual environment outside the repository. One step is: zero the
gradients, forward, loss, backward, optimizer update, on one batch generated
once (inputs and MSE targets from a standard normal, class labels uniform in
0..10); weight decay applies to weights only, as in sparsegrad's workloads.
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

WORKLOADS = {
    #     sizes                 activation  batch  classify  lr    momentum  l2
    "W1": ([2, 16, 16, 1], torch.tanh, 32, False, 0.01, 0.0, 0.0),
    "W2": ([100, 64, 64, 1], torch.relu, 64, False, 0.01, 0.0, 1e-4),
    "W3": ([784, 256, 128, 10], torch.relu, 128, True, 0.01, 0.9, 5e-4),
    "W4": ([1024, 1024, 1024, 10], torch.relu, 256, True, 0.01, 0.9, 0.0),
}


def build(name, seed):
    sizes, act, batch, classify, lr, momentum, l2 = WORKLOADS[name]
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
    model = torch.nn.ModuleList(layers)
    x = torch.randn(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,)) if classify else torch.randn(batch, sizes[-1])
    weights = [l.weight for l in layers]
    biases = [l.bias for l in layers]
    opt = torch.optim.SGD(
        [{"params": weights, "weight_decay": l2}, {"params": biases, "weight_decay": 0.0}],
        lr=lr,
        momentum=momentum,
    )

    def run(steps):
        loss = None
        for _ in range(steps):
            opt.zero_grad()
            h = x
            for i, layer in enumerate(layers):
                h = layer(h)
                if i < len(layers) - 1:
                    h = act(h)
            loss = F.cross_entropy(h, y) if classify else F.mse_loss(h, y)
            loss.backward()
            opt.step()
        return loss.item()

    flops = 6 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return run, flops


def measure(name, threads, flops, run, warmup=0.3, min_rep=0.5, reps=7):
    start = time.perf_counter()
    while time.perf_counter() - start < warmup:
        run(1)
    steps = 1
    while True:
        t0 = time.perf_counter()
        run(steps)
        t = time.perf_counter() - t0
        if t >= min_rep:
            break
        steps = max(steps + 1, int(steps * min(1.2 * min_rep / max(t, 1e-9), 10.0) + 0.999))
    rates, loss = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        loss = run(steps)
        rates.append(steps / (time.perf_counter() - t0))
    median = statistics.median(rates)
    return {
        "peer": "pytorch",
        "version": torch.__version__,
        "workload": name,
        "threads": threads,
        "steps_per_s": median,
        "ms_per_step": 1000.0 / median,
        "flops_per_step": flops,
        "gflops": flops * median / 1e9,
        "reps": reps,
        "steps_per_rep": steps,
        "steps_per_s_min": min(rates),
        "steps_per_s_max": max(rates),
        "loss": loss,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.workloads.split(","):
        run, flops = build(name.strip().upper(), args.seed)
        print(json.dumps(measure(name.strip().upper(), args.threads, flops, run)), flush=True)


if __name__ == "__main__":
    main()
