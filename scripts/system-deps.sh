#!/usr/bin/env bash
# System packages the full test suite needs: PostgreSQL server (store and KPI tests on a real
# server), Java 17 (Spark local mode), Debian's Chromium (the dashboard's browser tests drive
# it with Playwright: Playwright's own browser download is not available everywhere) and a
# CJK font (without one, Chinese renders as empty boxes in the browser and in charts).
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! fc-list 2>/dev/null | grep -qi -E "wenquanyi|noto (sans|serif) cjk"; then
  need+=(fonts-wqy-microhei)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Please install: ${need[*]} (needs root)" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
