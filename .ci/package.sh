#!/usr/bin/env bash
# Every publishable crate packages as a registry would take it: metadata,
# path dependencies with versions, and each package building on its own
# from the packaged sources (cargo verifies them against the workspace's
# lock file, resolved through the registry index; no upload).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package --workspace --allow-dirty --locked
echo "cargo package: every crate packaged and verified"
