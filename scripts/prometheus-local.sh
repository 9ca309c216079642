#!/usr/bin/env bash
# Runs Prometheus without Docker (Debian: apt-get install prometheus) with the repository's
# configuration and alert rules, scraping algo on this machine.
#   bash scripts/prometheus-local.sh [--listen 127.0.0.1:9100] [--target 127.0.0.1:5000] [--dir DIR] [--token-file FILE]
# Listens on 9100 like the compose stack, so `npm run doctor` finds it with no flags. Runs in
# the foreground: start it in its own terminal, or with `&`.
# When algo requires a metrics token, --token-file FILE (or ALGO_METRICS_TOKEN in this
# script's environment) gives algo's job an `authorization` block in the scratch copy of the
# configuration; the tracked deploy/prometheus/prometheus.yml is never changed.
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
auth="no metrics token"
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || { echo "--token-file $token_file cannot be read" >&2; exit 2; }
  token_file=$(realpath "$token_file")
  auth="metrics token from $token_file"
elif [ -n "${ALGO_METRICS_TOKEN:-}" ]; then
  token_file=$dir/algo-token
  (umask 077 && printf '%s\n' "$ALGO_METRICS_TOKEN" > "$token_file")
  auth="metrics token from ALGO_METRICS_TOKEN (written to $token_file)"
fi
if [ -n "$token_file" ]; then
  # algo's job is the first in the file: its scrape settings get the authorization block.
  awk -v file="$token_file" '{ print } /^    metrics_path:/ && !done { print "    authorization:\n      type: Bearer\n      credentials_file: " file; done = 1 }' \
    "$dir/prometheus.yml" > "$dir/prometheus.yml.new"
  mv "$dir/prometheus.yml.new" "$dir/prometheus.yml"
fi
echo "Prometheus on http://$listen scraping algo at $target, $auth (config and data in $dir)"
exec prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" --web.listen-address="$listen"
