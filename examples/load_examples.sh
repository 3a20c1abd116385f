#!/usr/bin/env bash
# Load the public reference data sets into two Keepwise workspaces with the CLI:
#   WORKDIR/online_retail  UCI Online Retail (retail, non-contractual)
#   WORKDIR/telco          IBM Telco Customer Churn (subscriptions)
#
# Usage: examples/load_examples.sh [WORKDIR]      (default: a new temporary folder)
# Environment: KEEPWISE (the keepwise command, default .venv/bin/keepwise or keepwise on PATH),
#              KEEPWISE_DATA (the data folder, default ../shared/data next to the repository).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
examples="$root/examples"
data="${KEEPWISE_DATA:-$root/../shared/data}"
workdir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/keepwise-examples.XXXXXX")}"
if [[ -n "${KEEPWISE:-}" ]]; then
    kw="$KEEPWISE"
elif [[ -x "$root/.venv/bin/keepwise" ]]; then
    kw="$root/.venv/bin/keepwise"
else
    kw="keepwise"
fi

for f in online_retail.parquet telco_customer_churn.csv; do
    [[ -f "$data/$f" ]] || { echo "missing $data/$f (set KEEPWISE_DATA)" >&2; exit 1; }
done

# load WS KIND FILE MAPPING: one import; prints the counts (rows read, loaded, rejected).
load() {
    local ws="$1" kind="$2" file="$3" mapping="$4"
    echo "== $(basename "$ws"): $kind <- $(basename "$file") ($(basename "$mapping"))"
    "$kw" --lang en -w "$ws" import "$kind" "$file" --mapping "$mapping"
}

retail="$workdir/online_retail"
"$kw" --lang en init "$retail" --name "UCI Online Retail"
# A retailer has no contracts: a customer is lost after 90 days without an order.
sed -i 's/^mode = "events"/mode = "inactivity"/' "$retail/keepwise.toml"
load "$retail" customers "$data/online_retail.parquet" "$examples/online_retail/customers.yaml"
load "$retail" orders "$data/online_retail.parquet" "$examples/online_retail/orders.yaml"

telco="$workdir/telco"
"$kw" --lang en init "$telco" --name "IBM Telco Customer Churn"
load "$telco" customers "$data/telco_customer_churn.csv" "$examples/telco/customers.yaml"
load "$telco" status-events "$data/telco_customer_churn.csv" "$examples/telco/status-events.yaml"
load "$telco" orders "$data/telco_customer_churn.csv" "$examples/telco/orders.yaml"

echo
echo "Workspaces: $retail"
echo "            $telco"
echo "Look inside: $kw -w $retail status"
