#!/usr/bin/env bash
# Installs Keepwise into .venv, builds the demo workspace (./demo) and shows its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh ""
if [ ! -f demo/keepwise.toml ]; then
  .venv/bin/keepwise demo demo
fi
.venv/bin/keepwise -w demo status
.venv/bin/keepwise -w demo summary
