#!/usr/bin/env python3
"""One command for the whole comparison: PyTorch, JAX, numpy, candle, burn
and sparsegrad's `throughput` on the training workloads, and scikit-learn's
LassoCV / ElasticNetCV against sparsegrad's `path`, interleaved, printing the medians
of the rounds as Markdown tables with each sparsegrad figure's ratio to the
best peer (the README's Performance tables).

    python3 -m venv /tmp/perf-venv
    /tmp/perf-venv/bin/pip install torch "jax[cpu]" numpy scikit-learn threadpoolctl
    /tmp/perf-venv/bin/python benches/peers/side_by_side.py --rounds 3 --threads 1,2

Run it from the repository root with the Python of the virtual environment.
It builds `throughput` and `path` first (the default build; with
`--builds default,blas` also the OpenBLAS one of `throughput`, in
target/blas), and the Rust peers benches/peers/candle_mlp and burn_mlp
(standalone Cargo projects, release, each in its folder of --peers-target).
A Python peer whose package does not import, or a Rust peer that does not
build, is skipped, with a note.
Each round runs every peer once per thread count, one after the other, then
every path problem, so a slow spell of a shared machine hits all of them;
the JSON lines of every run are kept in --raw.
"""

import argparse
import collections
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# each peer's script and the package it needs
PEERS_PY = {
    "pytorch": ("torch_mlp.py", "torch"),
    "jax": ("jax_mlp.py", "jax"),
    "numpy": ("numpy_mlp.py", "numpy"),
}
# each Rust peer's Cargo project (benches/peers/<name>/, its own workspace)
PEERS_RUST = {"candle": "candle_mlp", "burn": "burn_mlp"}


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


def available(peers, target):
    """The command of each peer that runs here: a Python peer whose package
    imports, a Rust peer that builds (release, into its folder of `target`,
    from the repository root so that its .cargo/config.toml applies as to
    ours); says which are skipped."""
    kept = {}
    for peer in peers:
        if peer in PEERS_PY:
            script, package = PEERS_PY[peer]
            if importlib.util.find_spec(package) is None:
                print(f"note: {peer} skipped ({package} is not installed)", file=sys.stderr)
            else:
                kept[peer] = [sys.executable, os.path.join(HERE, script)]
        elif peer in PEERS_RUST:
            project = PEERS_RUST[peer]
            target_dir = os.path.join(target, project)
            cmd = ["cargo", "build", "--release", "--manifest-path",
                   os.path.join(HERE, project, "Cargo.toml"), "--target-dir", target_dir]
            if subprocess.run(cmd).returncode != 0:
                print(f"note: {peer} skipped ({project} did not build)", file=sys.stderr)
            else:
                kept[peer] = [os.path.join(target_dir, "release", project)]
        else:
            sys.exit(f"unknown peer {peer!r}: expected one of {', '.join([*PEERS_PY, *PEERS_RUST])}")
    return kept


def ratio_cell(value, peers_values):
    """`value (r×)` with r = value / the best of the peers' values."""
    return f"{value:,.1f} ({value / max(peers_values):.2f}×)" if peers_values else f"{value:,.1f}"


def workload_tables(results, peers, builds, thread_counts, workloads):
    """The steps/s medians, one table per thread count."""
    rates = collections.defaultdict(list)
    for r in results:
        rates[(r["threads"], r["workload"], r["peer"])].append(r["steps_per_s"])
    median = lambda key: statistics.median(rates[key]) if rates.get(key) else None
    for threads in thread_counts:
        print(f"\n| steps/s, {threads} thread(s) | " + " | ".join(peers + builds) + " |")
        print("|---|" + "---:|" * (len(peers) + len(builds)))
        for workload in workloads:
            theirs = [v for p in peers if (v := median((threads, workload, p))) is not None]
            cells = [f"{v:,.1f}" if (v := median((threads, workload, p))) else "–" for p in peers]
            for b in builds:
                v = median((threads, workload, b))
                cells.append(ratio_cell(v, theirs) if v else "–")
            print(f"| {workload} | " + " | ".join(cells) + " |")
    print("\n(ratio: sparsegrad's steps/s over the best peer's)")


def path_table(times, notes):
    """scikit-learn's CV fit against `path`, medians of the rounds."""
    print("\n| problem | estimator | threads | scikit-learn fit (s) | sparsegrad path+CV (s) | ratio | sparsegrad worst gap/tol |")
    print("|---|---|--:|--:|--:|--:|--:|")
    for (size, penalty, threads), rows in times.items():
        sk, sg = (statistics.median(col) for col in zip(*rows))
        report = notes[(size, penalty, threads)]
        name = "LassoCV" if penalty == "l1" else "ElasticNetCV(l1_ratio=0.5)"
        print(f"| {size} | {name} | {threads} | {sk:.4f} | {sg:.4f} | {sg / sk:.2f}× | "
              f"{report['worst_relative_gap'] / 1e-4:.2f} |")
    print("\n(ratio: sparsegrad's seconds over scikit-learn's; below 1 is faster)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--builds", default="default")
    parser.add_argument("--peers", default="pytorch,jax,numpy,candle,burn")
    parser.add_argument(
        "--peers-target",
        default=os.path.join(tempfile.gettempdir(), "sparsegrad-peers"),
        help="the Cargo target directory of the Rust peers (default: in the temporary directory)",
    )
    parser.add_argument("--path-sizes", default="1000x100,10000x1000",
                        help="the path problems (n x d), or 'none'")
    parser.add_argument("--path-penalties", default="l1,elastic")
    parser.add_argument(
        "--raw",
        default=os.path.join(tempfile.gettempdir(), "side_by_side.jsonl"),
        help="where to keep every JSON line (default: in the temporary directory)",
    )
    args = parser.parse_args()
    binaries = {f"sparsegrad-{b}": build(b) for b in args.builds.split(",")}
    peer_cmds = available(args.peers.split(","), args.peers_target)
    peers = list(peer_cmds)
    thread_counts = [int(t) for t in args.threads.split(",")]
    problems = {}
    with_path = args.path_sizes != "none"
    if with_path and importlib.util.find_spec("sklearn") is None:
        print("note: the path comparison skipped (scikit-learn is not installed)", file=sys.stderr)
        with_path = False
    if with_path:
        import path_cv  # numpy and scikit-learn, only when they are there

        subprocess.run(["cargo", "build", "--release", "--bin", "path"], check=True)
        tmp = tempfile.mkdtemp(prefix="side_by_side_")
        for size in args.path_sizes.split(","):
            n, d = map(int, size.split("x"))
            x, y = path_cv.problem(n, d, seed=0)
            csv = os.path.join(tmp, f"{size}.csv")
            path_cv.write_csv(csv, x, y)
            problems[size] = (x, y, csv)
    results, times, notes = [], collections.defaultdict(list), {}
    for round_ in range(args.rounds):
        for threads in thread_counts:
            common = ["--workloads", args.workloads, "--threads", str(threads)]
            for peer, cmd in peer_cmds.items():
                results += run([*cmd, *common], peer)
            for peer, binary in binaries.items():
                results += run([binary, *common], peer)
            for size, (x, y, csv) in problems.items():
                for penalty in args.path_penalties.split(","):
                    sk, _ = path_cv.sklearn_fit(penalty, x, y, threads)
                    sg, _, report = path_cv.sparsegrad_fit("target/release/path", penalty, csv, tmp, threads)
                    times[(size, penalty, threads)].append((sk, sg))
                    notes[(size, penalty, threads)] = report
            print(f"round {round_ + 1}, {threads} thread(s): done", file=sys.stderr)
    with open(args.raw, "w") as raw:
        raw.writelines(json.dumps(r) + "\n" for r in results)
    versions = {r["peer"]: r["version"] for r in results}
    print(", ".join(f"{p} {v}" for p, v in versions.items()) + f"; {args.rounds} rounds, medians")
    workload_tables(results, peers, list(binaries), thread_counts, args.workloads.split(","))
    if problems:
        import sklearn

        print(f"\nscikit-learn {sklearn.__version__}")
        path_table(times, notes)


if __name__ == "__main__":
    main()
