#!/usr/bin/env bash
# Keepwise in one command: installs Keepwise into .venv, builds the demo workspace (./demo) if
# it is absent, trains and scores it once, creates a demo login (printed below) and serves the
# dashboard on http://127.0.0.1:8000 (Ctrl+C stops it). Run it again: it reuses what is done.
#   KEEPWISE_PORT=8001 scripts/quickstart.sh     another port
#   KEEPWISE_NO_SERVE=1 scripts/quickstart.sh    build and score only (no server)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh ""
kw=.venv/bin/keepwise
port=${KEEPWISE_PORT:-8000}
user=demo
password=keepwise-demo    # a local demo only: the server listens on 127.0.0.1
if [ ! -f demo/keepwise.toml ]; then
  "$kw" demo demo          # its history ends today: a live demo
fi
"$kw" -w demo summary
if [ ! -f demo/.quickstart-scored ]; then
  "$kw" -w demo risk train
  "$kw" -w demo risk score
  "$kw" -w demo value score
  "$kw" -w demo alerts run
  touch demo/.quickstart-scored
fi
if ! "$kw" -w demo users list --json | grep -q "\"username\": *\"$user\""; then
  printf '%s\n' "$password" | "$kw" -w demo users add "$user" --role admin --password-stdin
fi
echo
echo "Keepwise dashboard: http://127.0.0.1:$port/   user: $user   password: $password"
echo
if [ -z "${KEEPWISE_NO_SERVE:-}" ]; then
  exec "$kw" -w demo serve --host 127.0.0.1 --port "$port"
fi
