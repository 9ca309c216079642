#!/usr/bin/env bash
# Runs Prometheus without Docker (Debian: apt-get install prometheus) with the repository's
# configuration and alert rules, scraping algo on this machine.
#   bash scripts/prometheus-local.sh [--listen 127.0.0.1:9100] [--target 127.0.0.1:5000] [--dir DIR] [--token-file FILE]
# Listens on 9100 like the compose stack, so `npm run doctor` finds it with no flags. Runs in
# the foreground: start it in its own terminal, or with `&`.
# When algo asks for a metrics token, --token-file FILE (or ALGO_METRICS_TOKEN in this
# script's environment) is what algo's job sends (its credentials_file, in the scratch dir).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
listen=127.0.0.1:9100 target=127.0.0.1:5000 dir=${TMPDIR:-/tmp}/algo-prometheus token_file=
usage="usage: $0 [--listen HOST:PORT] [--target HOST:PORT] [--dir DIR] [--token-file FILE]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
  case $1 in
    --listen) listen=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --token-file) token_file=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
command -v prometheus >/dev/null || { echo "prometheus is not installed: sudo apt-get install prometheus" >&2; exit 1; }
mkdir -p "$dir/targets"
cp "$repo/deploy/prometheus/prometheus.yml" "$repo/deploy/prometheus/alerts.yml" "$dir/"
sed "s/127\.0\.0\.1:5000/$target/" "$repo/deploy/prometheus/targets/local.yml" > "$dir/targets/algo.yml"
# Prometheus' own job scrapes itself where it listens here, not the container's localhost:9090.
sed -i "s/'localhost:9090'/'$listen'/" "$dir/prometheus.yml"
# The scrape token, in the file prometheus.yml's credentials_file names: --token-file FILE, else
# ALGO_METRICS_TOKEN, else empty (algo on loopback asks for none unless ALGO_METRICS_TOKEN or
# ALGO_API_AUTH=tokens says so). The tracked deploy/prometheus/prometheus.yml is never changed.
mkdir -p "$dir/secrets"
auth="no metrics token"
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || { echo "--token-file $token_file cannot be read" >&2; exit 2; }
  (umask 077 && tr -d '\r\n' < "$token_file" > "$dir/secrets/algo-metrics.token")
  auth="metrics token from $token_file"
else
  (umask 077 && printf '%s' "${ALGO_METRICS_TOKEN:-}" > "$dir/secrets/algo-metrics.token")
  [ -n "${ALGO_METRICS_TOKEN:-}" ] && auth="metrics token from ALGO_METRICS_TOKEN"
fi
echo "Prometheus on http://$listen scraping algo at $target, $auth (config and data in $dir)"
exec prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --web.listen-address="$listen"
