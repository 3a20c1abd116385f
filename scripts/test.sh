#!/usr/bin/env bash
# Installs everything and runs the full test suite: lint, format, types, layering, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
source scripts/_venv.sh "dev,spark"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest "$@"
