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
# Every core (at most 4), one test file per worker at a time: a file's module fixtures (its
# demo workspaces) are built once (session fixtures once per worker).
.venv/bin/pytest -n auto --maxprocesses 4 --dist loadfile "$@"
