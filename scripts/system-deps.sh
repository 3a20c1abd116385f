#!/usr/bin/env bash
# System packages the full test suite needs: PostgreSQL server (store and KPI tests on a real
# server), Java 17 (Spark local mode), Debian's Chromium (the dashboard's browser tests drive
# it with Playwright: Playwright's own browser download is not available everywhere), for PDF
# reports (WeasyPrint) pango and HarfBuzz's subsetter (fast font subsetting), and a CJK font,
# so that Chinese renders in the browser, the charts and the PDFs.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || need+=(chromium)
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib libpango-1.0.so || need+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so || need+=(libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so || need+=(libharfbuzz-subset0)
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; } \
  || need+=(fontconfig fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Please install: ${need[*]} (needs root)" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
