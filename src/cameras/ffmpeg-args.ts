// ffmpeg's command line for one camera. Frames leave ffmpeg already at detect_fps and, for
// detection, already letterboxed to the detector's input size as raw RGB (scaled keeping the
// aspect ratio and padded with gray 114 exactly as letterboxGeometry does), so algo never
// decodes a JPEG for them. The ingest role asks for JPEG instead (for Kafka).
// Facts behind the flags (Debian ffmpeg 5.1): MJPEG over HTTP has no timestamps, so the fps
// filter needs wall-clock ones; a stalled source hangs ffmpeg unless -rw_timeout (HTTP) or
// -timeout (RTSP) is set; probing a live RTSP stream takes 3 s with the defaults, 1 s with a
// small analyzeduration/probesize.
import { PAD_VALUE } from '../detect/letterbox.js';
import type { CameraConfig } from './camera-config.js';

export type FrameOutput = { format: 'rgb'; width: number; height: number; view?: ViewOutput } | { format: 'jpeg'; quality: number };

/**
 * A second output of the same ffmpeg (no second connection to the camera): JPEG frames at the
 * camera's own resolution, the long side at most `maxSide`, `fps` per second, on file
 * descriptor 3 — what the web console shows large.
 */
export interface ViewOutput {
  maxSide: number;
  fps: number;
  quality: number;
}

/** The view output's filter: at most `fps` frames, the long side scaled down to `maxSide` (never up), even sizes. */
export function viewFilter(view: ViewOutput): string {
  const even = (expression: string): string => `trunc(${expression}/2)*2`;
  const width = `if(gte(iw\\,ih)\\,${even(`min(${view.maxSide}\\,iw)`)}\\,-2)`;
  const height = `if(gte(iw\\,ih)\\,-2\\,${even(`min(${view.maxSide}\\,ih)`)})`;
  return `fps=${view.fps},scale=w='${width}':h='${height}'`;
}

/**
 * Whether one ffmpeg keeps delivering right frames when the camera changes resolution mid-stream:
 * the letterbox filter is evaluated again for the new size (raw RGB keeps the detector's size),
 * but an encoder keeps the size it started with, so JPEG frames would come out stretched and a
 * new ffmpeg is needed.
 */
export function followsResolutionChange(output: FrameOutput): boolean {
  return output.format === 'rgb';
}

const PAD_COLOUR = `0x${PAD_VALUE.toString(16).repeat(3)}`;

/** letterboxGeometry in ffmpeg expressions: scale to fit, round, pad evenly (left/top floor). */
export function letterboxFilter(width: number, height: number): string {
  const fit = `min(${width}/iw\\,${height}/ih)`;
  return [
    `scale=w='max(1\\,round(iw*${fit}))':h='max(1\\,round(ih*${fit}))'`,
    `pad=${width}:${height}:'round((ow-iw)/2-0.1)':'round((oh-ih)/2-0.1)':color=${PAD_COLOUR}`,
  ].join(',');
}

function inputArgs(camera: CameraConfig): string[] {
  const timeoutUs = String(Math.round(camera.stallTimeoutSeconds * 1e6));
  switch (camera.kind) {
    case 'rtsp':
      return ['-rtsp_transport', 'tcp', '-timeout', timeoutUs, '-analyzeduration', '500000', '-probesize', '32768'];
    case 'http':
      // HLS playlists carry timestamps; MJPEG and other live HTTP streams do not.
      return /\.m3u8(\?|$)/i.test(camera.url)
        ? ['-rw_timeout', timeoutUs]
        : ['-rw_timeout', timeoutUs, '-use_wallclock_as_timestamps', '1'];
    case 'file':
      // A file plays at its own speed, in a loop, like a camera would.
      return ['-re', '-stream_loop', '-1'];
  }
}

/** Arguments after `ffmpeg`; frames are written to stdout, diagnostics to stderr. */
export function ffmpegArgs(camera: CameraConfig, output: FrameOutput): string[] {
  const fps = `fps=${camera.detectFps}`;
  const encode =
    output.format === 'rgb'
      ? ['-vf', `${fps},${letterboxFilter(output.width, output.height)}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo']
      : ['-vf', fps, '-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', String(output.quality), '-f', 'image2pipe'];
  const view =
    output.format === 'rgb' && output.view !== undefined
      ? [
          '-map',
          '0:v:0',
          '-an',
          '-sn',
          '-dn',
          '-vf',
          viewFilter(output.view),
          '-pix_fmt',
          'yuvj420p',
          '-c:v',
          'mjpeg',
          '-q:v',
          String(output.view.quality),
          '-f',
          'image2pipe',
          'pipe:3',
        ]
      : [];
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    // verbose: ffmpeg then reports the source's frame size again when it changes mid-stream.
    '-loglevel',
    'verbose',
    ...inputArgs(camera),
    '-i',
    camera.url,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    ...encode,
    'pipe:1',
    ...view,
  ];
}
