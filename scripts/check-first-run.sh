#!/usr/bin/env bash
# Proves the README's first command: the service started by `npm start` (PID $1, output in
# $2) serves /metrics on port 5000 and stops on SIGTERM to that PID, leaving no node behind.
set -euo pipefail
npm_pid=$1 log=$2
url=http://127.0.0.1:5000/metrics
for _ in $(seq 1 120); do
  if node -e "fetch('$url').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"; then break; fi
  kill -0 "$npm_pid" 2>/dev/null || { echo "first-run: npm start exited early"; cat "$log"; exit 1; }
  sleep 0.5
done
node -e "fetch('$url').then(async r=>{const t=await r.text();if(r.status!==200||!t.includes('process_cpu_seconds_total'))process.exit(1)})" \
  || { echo "first-run: $url did not serve metrics"; cat "$log"; exit 1; }
grep -q 'Prometheus metrics endpoint enabled at /metrics' "$log" || { echo "first-run: start-up line missing"; cat "$log"; exit 1; }
children=$(pgrep -P "$npm_pid" || true)
kill -TERM "$npm_pid"
for _ in $(seq 1 60); do kill -0 "$npm_pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$npm_pid" 2>/dev/null; then echo "first-run: npm start ignored SIGTERM"; exit 1; fi
for child in $children; do
  if kill -0 "$child" 2>/dev/null; then echo "first-run: node (pid $child) left running after SIGTERM to npm start"; kill -9 "$child"; exit 1; fi
done
echo "first-run: npm ci && npm start served /metrics on :5000 and stopped cleanly on SIGTERM"
