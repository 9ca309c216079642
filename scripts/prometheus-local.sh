#!/usr/bin/env bash
# Runs Prometheus without Docker (Debian: apt-get install prometheus) with the repository's
# configuration and alert rules, scraping algo on this machine.
#   bash scripts/prometheus-local.sh [--listen 127.0.0.1:9100] [--target 127.0.0.1:5000] [--dir DIR]
# Listens on 9100 like the compose stack, so `npm run doctor` finds it with no flags. Runs in
# the foreground: start it in its own terminal, or with `&`. Sends $ALGO_METRICS_TOKEN (if set)
# with each scrape.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
listen=127.0.0.1:9100 target=127.0.0.1:5000 dir=${TMPDIR:-/tmp}/algo-prometheus
while [ $# -gt 0 ]; do
  case $1 in
    --listen) listen=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--listen HOST:PORT] [--target HOST:PORT] [--dir DIR]" >&2; exit 2 ;;
  esac
done
command -v prometheus >/dev/null || { echo "prometheus is not installed: sudo apt-get install prometheus" >&2; exit 1; }
mkdir -p "$dir/targets" "$dir/secrets"
# The scrape token (prometheus.yml's credentials_file): ALGO_METRICS_TOKEN if set. On loopback
# algo needs none unless ALGO_METRICS_TOKEN or ALGO_API_AUTH=tokens says so.
(umask 077 && printf '%s' "${ALGO_METRICS_TOKEN:-}" > "$dir/secrets/algo-metrics.token")
cp "$repo/deploy/prometheus/prometheus.yml" "$repo/deploy/prometheus/alerts.yml" "$dir/"
sed "s/127\.0\.0\.1:5000/$target/" "$repo/deploy/prometheus/targets/local.yml" > "$dir/targets/algo.yml"
# Prometheus' own job scrapes itself where it listens here, not the container's localhost:9090.
sed -i "s/'localhost:9090'/'$listen'/" "$dir/prometheus.yml"
echo "Prometheus on http://$listen scraping algo at $target (config and data in $dir)"
exec prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --web.listen-address="$listen"
