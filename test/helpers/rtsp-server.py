# A real RTSP camera for tests: GStreamer's RTSP server (Debian gir1.2-gst-rtsp-server-1.0,
# python3-gst-1.0), H.264 from videotestsrc at /stream. Run with the system /usr/bin/python3:
#   /usr/bin/python3 test/helpers/rtsp-server.py PORT [WIDTH HEIGHT FPS]
# Prints "listening PORT" once it accepts connections. Each client gets its own pipeline
# (set_shared(False)): a shared one would stall the first client when a second connects.
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port = sys.argv[1]
width, height, fps = (sys.argv[2:5] + ["320", "240", "10"][len(sys.argv[2:5]):])

server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f"( videotestsrc is-live=true pattern=smpte ! video/x-raw,width={width},height={height},framerate={fps}/1 "
    f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)
factory.set_shared(False)
server.get_mount_points().add_factory("/stream", factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on port {port}")
print(f"listening {server.get_bound_port()}", flush=True)
GLib.MainLoop().run()
