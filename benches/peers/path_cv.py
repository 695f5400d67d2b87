#!/usr/bin/env python3
"""Times scikit-learn's LassoCV / ElasticNetCV against sparsegrad's `path`
on the same data, interleaved, and prints the medians as a Markdown table.

    /tmp/perf-venv/bin/python benches/peers/path_cv.py --rounds 5

Run it from the repository root with a Python that has scikit-learn and
numpy. Each problem is a sparse linear regression (standard normal
features, d/10 informative with |beta| in [1, 3], noise 0.5), standardized,
written once as CSV. Both sides fit the same task: a 100-value log grid
from the exact lambda_max down to 1e-3 of it, 5-fold cross-validation,
tol 1e-4 on the duality gap (scikit-learn's rule is on the gap of its
objective, half of sparsegrad's, so sparsegrad's stop is twice as strict),
then the whole-data path (sparsegrad) or the refit at the chosen alpha
(scikit-learn). The lambda of sparsegrad is 2 x scikit-learn's alpha
(mean squared error without the 1/2). Timed: scikit-learn's `fit` and
the `seconds` that `path` reports for its paths and cross-validation
(neither reads the CSV in the timing); `path` is also timed as a whole
command (reading the CSV and writing the report and plots included).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNetCV, LassoCV


def problem(n, d, seed):
    """A standardized sparse linear regression, as (X, y)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    beta = np.zeros(d)
    support = rng.choice(d, size=max(d // 10, 1), replace=False)
    beta[support] = rng.uniform(1, 3, support.size) * rng.choice([-1, 1], support.size)
    y = x @ beta + 0.5 * rng.standard_normal(n)
    return x, y


def write_csv(path, x, y):
    d = x.shape[1]
    header = ",".join([f"x{j}" for j in range(d)] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.17g")


def sklearn_fit(penalty, x, y):
    """Fits scikit-learn's CV estimator; returns (seconds, estimator)."""
    # scikit-learn 1.7 renamed n_alphas to alphas (an int is a grid size)
    grid = {"alphas": 100} if sklearn.__version__ >= "1.7" else {"n_alphas": 100}
    if penalty == "l1":
        model = LassoCV(cv=5, tol=1e-4, **grid)
    else:
        model = ElasticNetCV(l1_ratio=0.5, cv=5, tol=1e-4, **grid)
    start = time.perf_counter()
    model.fit(x, y)
    return time.perf_counter() - start, model


def sparsegrad_fit(binary, penalty, csv, out_dir):
    """Runs `path`; returns (its reported seconds, the command's seconds, report)."""
    cmd = [binary, "--data", csv, "--target", "y", "--grid", "100", "--folds", "5",
           "--gap-tol", "1e-4", "--quiet", "--out-dir", out_dir, "--penalty", penalty]
    if penalty == "elastic":
        cmd += ["--l1-ratio", "0.5"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    with open(os.path.join(out_dir, "path.json")) as f:
        report = json.load(f)
    return report["seconds"], wall, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x100,10000x1000")
    parser.add_argument("--penalties", default="l1,elastic")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--bin", "path"], check=True)
    binary = "target/release/path"
    tmp = tempfile.mkdtemp(prefix="path_cv_")
    problems = {}
    for size in args.sizes.split(","):
        n, d = map(int, size.split("x"))
        x, y = problem(n, d, seed=0)
        csv = os.path.join(tmp, f"{size}.csv")
        write_csv(csv, x, y)
        problems[size] = (x, y, csv)
    times = {}
    notes = {}
    for round_ in range(args.rounds):
        for size, (x, y, csv) in problems.items():
            for penalty in args.penalties.split(","):
                key = (size, penalty)
                sk_seconds, model = sklearn_fit(penalty, x, y)
                sg_seconds, sg_wall, report = sparsegrad_fit(binary, penalty, csv, tmp)
                times.setdefault(key, []).append((sk_seconds, sg_seconds, sg_wall))
                notes[key] = (model, report)
        print(f"round {round_ + 1}: done", file=sys.stderr)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; {args.rounds} rounds, medians")
    print()
    print("| problem | penalty | scikit-learn fit (s) | sparsegrad path+CV (s) | ratio | sparsegrad command (s) | sklearn alpha_ ×2 | sparsegrad λ_best | sparsegrad worst gap/tol |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for (size, penalty), rows in times.items():
        sk, sg, wall = (statistics.median(col) for col in zip(*rows))
        model, report = notes[(size, penalty)]
        name = "LassoCV" if penalty == "l1" else "ElasticNetCV(l1_ratio=0.5)"
        print(f"| {size} | {name} | {sk:.4f} | {sg:.4f} | {sg / sk:.2f}× | {wall:.3f} | "
              f"{2 * model.alpha_:.5f} | {report['best']['lambda']:.5f} | "
              f"{report['worst_relative_gap'] / 1e-4:.2f} |")


if __name__ == "__main__":
    main()
