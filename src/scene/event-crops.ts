// A small JPEG of the object of each recent scene event, for GET /api/v1/events/:id/crop.jpg
// (the console's camera page lists recent events with one). It is cut from the frame the event
// was found in: a camera's letterboxed RGB detection frame, or the image a push camera sent.
// The crop is the detection's box with a margin, and its long side is at most CROP_SIDE px.
// Held per camera in a ring of the newest `perCamera`; lost on restart. An event whose track was
// not seen in that frame (the `left` of a track that ended, dated to its last sighting) gets the
// newest crop held of the same track, or none; so do the `left` events of a camera that went
// down. Encoding runs in sharp's thread pool; at most `maxPending` crops are encoded at a time,
// and an event beyond that gets none (counted).
import sharp from 'sharp';
import type { Box } from '../detect/types.js';
import { letterboxGeometry } from '../detect/letterbox.js';
import type { CropOutcome } from '../metrics/recorders/scene-metrics.js';

/** The pixels a tracked frame's events are cut from. */
export type FramePicture =
  /** A push camera's frame as it came (JPEG, PNG, WebP); boxes are in its EXIF-oriented pixels. */
  | { kind: 'encoded'; image: Buffer }
  /** A camera frame as the detector got it: RGB, letterboxed to width × height. */
  | { kind: 'letterboxed'; pixels: Uint8Array; width: number; height: number };

/** One event of a frame: its id, its track, and the box of that track's detection in this frame (undefined: not seen in it). */
export interface CropRequest {
  eventId: string;
  trackId: number;
  box: Box | undefined;
}

export interface EventCropsOptions {
  /** Crops held per camera (the newest). */
  perCamera: number;
  /** Crops encoded at a time; an event beyond that gets none. */
  maxPending: number;
  record: (outcome: CropOutcome) => void;
}

interface Held {
  eventId: string;
  trackId: number;
  /** The crop; undefined when it failed. A reused crop shares its promise. */
  jpeg: Promise<Buffer | undefined>;
}

/** Long side of a crop, px: twice the console's 64 px thumbnail, for high-density screens. */
export const CROP_SIDE = 160;
/** Margin around the box on each side, as a share of its width or height. */
const MARGIN = 0.1;

/** The box with its margin, in whole pixels of a width × height picture; undefined when nothing of it is inside. */
export function cropRegion(
  box: Box,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } | undefined {
  const mx = Math.max(2, box.width * MARGIN);
  const my = Math.max(2, box.height * MARGIN);
  const left = Math.max(0, Math.floor(box.x - mx));
  const top = Math.max(0, Math.floor(box.y - my));
  const right = Math.min(width, Math.ceil(box.x + box.width + mx));
  const bottom = Math.min(height, Math.ceil(box.y + box.height + my));
  if (!(right > left && bottom > top)) return undefined;
  return { left, top, width: right - left, height: bottom - top };
}

/** The region's RGB bytes, copied out of a letterboxed frame (whose buffer may be refilled once this returns). */
function copyLetterboxed(
  picture: Extract<FramePicture, { kind: 'letterboxed' }>,
  box: Box,
  source: { width: number; height: number },
): { pixels: Buffer; width: number; height: number } | undefined {
  const geometry = letterboxGeometry(source.width, source.height, picture.width, picture.height);
  const scaled = {
    x: box.x * geometry.scale,
    y: box.y * geometry.scale,
    width: box.width * geometry.scale,
    height: box.height * geometry.scale,
  };
  const region = cropRegion(scaled, geometry.resizedWidth, geometry.resizedHeight);
  if (region === undefined) return undefined;
  const rowBytes = region.width * 3;
  const pixels = Buffer.allocUnsafe(rowBytes * region.height);
  for (let row = 0; row < region.height; row++) {
    const start = ((geometry.padTop + region.top + row) * picture.width + geometry.padLeft + region.left) * 3;
    pixels.set(picture.pixels.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { pixels, width: region.width, height: region.height };
}

const encodeOptions = { quality: 80 };
const fit = { width: CROP_SIDE, height: CROP_SIDE, fit: 'inside', withoutEnlargement: true } as const;

export class EventCrops {
  private readonly cameras = new Map<string, Held[]>();
  private readonly byEvent = new Map<string, Held>();
  private pending = 0;

  constructor(private readonly options: EventCropsOptions) {}

  /**
   * Cuts the crops of one frame's events. `source` is the frame's size in the pixels boxes are
   * given in (the camera's, or the pushed image's oriented size). Copies what it needs before
   * returning: the picture's buffer may be reused afterwards. Events of one track in one frame
   * (entered and crossed at once) share one crop.
   */
  capture(cameraId: string, requests: readonly CropRequest[], picture: FramePicture, source: { width: number; height: number }): void {
    const cut = new Map<number, Promise<Buffer | undefined> | 'skipped' | undefined>();
    for (const request of requests) {
      let jpeg: Promise<Buffer | undefined> | undefined;
      if (request.box === undefined) jpeg = this.newestOf(cameraId, request.trackId);
      else if (cut.has(request.trackId)) {
        const shared = cut.get(request.trackId);
        if (shared === 'skipped') this.options.record('skipped');
        else if (shared !== undefined) {
          jpeg = shared;
          this.options.record('reused');
        }
      } else if (this.pending >= this.options.maxPending) {
        this.options.record('skipped');
        cut.set(request.trackId, 'skipped');
      } else {
        jpeg = this.cut(picture, request.box, source);
        cut.set(request.trackId, jpeg);
      }
      if (jpeg !== undefined) this.hold(cameraId, { eventId: request.eventId, trackId: request.trackId, jpeg });
    }
  }

  /** Events with no frame of their own (a camera went down and its tracks ended): each gets its track's newest crop, if one is held. */
  carry(cameraId: string, events: ReadonlyArray<{ eventId: string; trackId: number }>): void {
    for (const { eventId, trackId } of events) {
      const jpeg = this.newestOf(cameraId, trackId);
      if (jpeg !== undefined) this.hold(cameraId, { eventId, trackId, jpeg });
    }
  }

  /** The event's crop; undefined when none is held (never made, failed, or pushed out by newer ones). */
  async get(eventId: string): Promise<Buffer | undefined> {
    return this.byEvent.get(eventId)?.jpeg;
  }

  private newestOf(cameraId: string, trackId: number): Promise<Buffer | undefined> | undefined {
    const ring = this.cameras.get(cameraId) ?? [];
    for (let i = ring.length - 1; i >= 0; i--) {
      if (ring[i]!.trackId === trackId) {
        this.options.record('reused');
        return ring[i]!.jpeg;
      }
    }
    return undefined;
  }

  /** Starts the crop's encoding (the caller checked the bound); undefined for a box with nothing of it inside the picture. */
  private cut(picture: FramePicture, box: Box, source: { width: number; height: number }): Promise<Buffer | undefined> | undefined {
    let encode: Promise<Buffer>;
    if (picture.kind === 'letterboxed') {
      const region = copyLetterboxed(picture, box, source);
      if (region === undefined) return undefined;
      encode = sharp(region.pixels, { raw: { width: region.width, height: region.height, channels: 3 } })
        .resize(fit)
        .jpeg(encodeOptions)
        .toBuffer();
    } else {
      const region = cropRegion(box, source.width, source.height);
      if (region === undefined) return undefined;
      // rotate() before extract(): the box is in the oriented picture's pixels.
      encode = sharp(picture.image, { failOn: 'truncated' }).rotate().extract(region).resize(fit).jpeg(encodeOptions).toBuffer();
    }
    this.pending++;
    return encode.then(
      (jpeg) => {
        this.pending--;
        this.options.record('stored');
        return jpeg;
      },
      () => {
        this.pending--;
        this.options.record('failed');
        return undefined;
      },
    );
  }

  private hold(cameraId: string, held: Held): void {
    let ring = this.cameras.get(cameraId);
    if (ring === undefined) this.cameras.set(cameraId, (ring = []));
    ring.push(held);
    this.byEvent.set(held.eventId, held);
    while (ring.length > this.options.perCamera) this.byEvent.delete(ring.shift()!.eventId);
  }
}
