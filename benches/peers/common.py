"""What the peer scripts share: their command line, and the timer of
sparsegrad's `throughput` (examples/src/throughput.rs, `measure`): warm up,
calibrate one repetition to last at least `min_rep` seconds, time `reps`
repetitions, report the median as one JSON line."""

import argparse
import json
import statistics
import time

# The workloads of examples/src/throughput.rs:
#     sizes                 activation  batch  classify  lr    momentum  l2
WORKLOADS = {
    "W1": ([2, 16, 16, 1], "tanh", 32, False, 0.01, 0.0, 0.0),
    "W2": ([100, 64, 64, 1], "relu", 64, False, 0.01, 0.0, 1e-4),
    "W3": ([784, 256, 128, 10], "relu", 128, True, 0.01, 0.9, 5e-4),
    "W4": ([1024, 1024, 1024, 10], "relu", 256, True, 0.01, 0.9, 0.0),
}


def parse_args(doc):
    """--workloads, --threads, --seed, as `throughput` takes them."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def run_all(peer, version, build, args):
    """Builds each workload of `args` with `build(name, seed)` (which returns
    the step runner and the FLOPs of a step), times it, prints its line."""
    for name in args.workloads.split(","):
        name = name.strip().upper()
        run, flops = build(name, args.seed)
        print(json.dumps(measure(peer, version, name, args.threads, flops, run)), flush=True)


def measure(peer, version, name, threads, flops, run, warmup=0.3, min_rep=0.5, reps=7):
    """Times `run(steps)` (which performs `steps` training steps and returns
    the last loss) and returns the comparison's JSON line as a dict."""
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
        # aim 20% past the minimum, at most 10x more steps per round
        steps = max(steps + 1, int(steps * min(1.2 * min_rep / max(t, 1e-9), 10.0) + 0.999))
    rates, loss = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        loss = run(steps)
        rates.append(steps / (time.perf_counter() - t0))
    median = statistics.median(rates)
    return {
        "peer": peer,
        "version": version,
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
