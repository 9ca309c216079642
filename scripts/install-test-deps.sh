#!/usr/bin/env bash
# Debian packages the test suite runs for real: Prometheus and promtool, kcat (librdkafka's
# mock Kafka cluster), docker-compose (static validation of the compose files).
set -euo pipefail
need=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
command -v kcat >/dev/null || need+=(kcat)
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}"
fi
# sed, not head: head exits early and the tool's SIGPIPE fails the script under pipefail
prometheus --version 2>&1 | sed -n 1p
kcat -V 2>&1 | sed -n 1p
docker-compose version 2>&1 | sed -n 1p
