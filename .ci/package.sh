#!/usr/bin/env bash
# Every publishable crate packages as a registry would take it: metadata,
# readme, path dependencies with versions (no upload). With --verify, cargo
# also builds each package on its own from the packaged sources against the
# registry index (a fresh build of everything: about 20 minutes on 2 cores,
# so CI packages without it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--verify" ]; then
  cargo package --workspace --allow-dirty --locked
  echo "cargo package: every crate packaged and verified"
else
  cargo package --workspace --allow-dirty --locked --no-verify
  echo "cargo package: every crate packaged (run with --verify to build them too)"
fi
