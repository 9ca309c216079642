#!/usr/bin/env bash
# Debian packages the test suite runs for real: Prometheus and promtool, kcat (librdkafka's
# mock Kafka cluster) and a C compiler (the shim that restarts a mock cluster on the same
# ports, test/helpers/fixed-ports.c), docker-compose (static validation of the compose files), ffmpeg (camera
# ingest) and GStreamer's RTSP server with its Python bindings and H.264 encoder (the RTSP
# test camera, run with /usr/bin/python3), and chromium (the web console's browser tests, driven by
# puppeteer-core, which downloads no browser).
set -euo pipefail
need=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
command -v kcat >/dev/null || need+=(kcat)
command -v cc >/dev/null && [ -e /usr/include/dlfcn.h ] || need+=(gcc libc6-dev)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
[ -x /usr/bin/chromium ] || need+=(chromium)
rtsp_check='import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0"); from gi.repository import Gst; Gst.init(None); assert Gst.ElementFactory.find("x264enc") and Gst.ElementFactory.find("rtph264pay")'
/usr/bin/python3 -c "$rtsp_check" 2>/dev/null || need+=(gir1.2-gst-rtsp-server-1.0 python3-gst-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)
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
ffmpeg -hide_banner -version 2>&1 | sed -n 1p
/usr/bin/chromium --version 2>/dev/null | sed -n 1p
/usr/bin/python3 -c "$rtsp_check" && echo "GStreamer RTSP server: ok"
