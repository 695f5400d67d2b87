#!/usr/bin/env python3
"""Runs PyTorch, JAX and sparsegrad's `throughput` on the same workloads,
interleaved, and prints the median of the rounds as a Markdown table with
the ratios to PyTorch (the README's Performance table).

    /tmp/torch-venv/bin/python benches/peers/side_by_side.py --rounds 3 --threads 1,2

Run it from the repository root with the Python of the virtual environment
that has torch and jax. It builds `throughput` first (the default build,
and with `--builds default,blas` also the OpenBLAS one, in target/blas).
Each round runs every peer once per thread count, one after the other, so
a slow spell of a shared machine hits all of them; the JSON lines of every
run are kept in --raw.
"""

import argparse
import collections
import json
import statistics
import os
import subprocess
import sys
import tempfile

PEERS_PY = {"pytorch": "benches/peers/torch_mlp.py", "jax": "benches/peers/jax_mlp.py"}


def build(name):
    """Builds throughput for one build name; returns the binary's path."""
    cmd = ["cargo", "build", "--release", "--bin", "throughput"]
    target = "target"
    if name == "blas":
        target = "target/blas"
        cmd += ["--features", "blas", "--target-dir", target]
    elif name != "default":
        sys.exit(f"unknown build {name!r}: expected default or blas")
    subprocess.run(cmd, check=True)
    return f"{target}/release/throughput"


def run(cmd, peer):
    """Runs one peer; returns its JSON lines, each tagged with `peer`."""
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    for line in lines:
        line["peer"] = peer
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--builds", default="default,blas")
    parser.add_argument("--peers", default="pytorch,jax")
    parser.add_argument(
        "--raw",
        default=os.path.join(tempfile.gettempdir(), "side_by_side.jsonl"),
        help="where to keep every JSON line (default: in the temporary directory)",
    )
    args = parser.parse_args()
    binaries = {f"sparsegrad-{b}": build(b) for b in args.builds.split(",")}
    peers = args.peers.split(",")
    results = []
    for round_ in range(args.rounds):
        for threads in args.threads.split(","):
            common = ["--workloads", args.workloads, "--threads", threads]
            for peer in peers:
                results += run([sys.executable, PEERS_PY[peer], *common], peer)
            for peer, binary in binaries.items():
                results += run([binary, *common], peer)
            print(f"round {round_ + 1}, {threads} thread(s): done", file=sys.stderr)
    with open(args.raw, "w") as raw:
        raw.writelines(json.dumps(r) + "\n" for r in results)
    rates = collections.defaultdict(list)
    for r in results:
        rates[(r["threads"], r["workload"], r["peer"])].append(r["steps_per_s"])
    names = peers + list(binaries)
    for threads in args.threads.split(","):
        print(f"\n| {threads} thread(s) | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for workload in args.workloads.split(","):
            cells = []
            base = rates.get((int(threads), workload, "pytorch"))
            for name in names:
                runs = rates.get((int(threads), workload, name))
                if not runs:
                    cells.append("–")
                    continue
                median = statistics.median(runs)
                ratio = f" ({median / statistics.median(base):.2f}×)" if base and name != "pytorch" else ""
                cells.append(f"{median:,.1f}{ratio}")
            print(f"| {workload} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
