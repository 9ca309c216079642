// Cuts ffmpeg's stdout into frames. Raw RGB frames have a fixed size; JPEG frames from
// ffmpeg's own mjpeg encoder end at the EOI marker (FF D9), which cannot occur inside the
// entropy-coded data (0xFF is stuffed there) and ffmpeg writes no embedded thumbnail.
import { FramePool } from './frame-pool.js';

export interface FrameReader {
  /** Feeds a stdout chunk; calls onFrame for every frame completed by it. */
  push(chunk: Buffer): void;
}

/** Each frame is its own Buffer (taken from `pool`, whole ArrayBuffer at offset 0). */
export function rawFrameReader(
  frameBytes: number,
  onFrame: (frame: Buffer) => void,
  pool: FramePool = new FramePool(frameBytes),
): FrameReader {
  let frame = pool.take();
  let filled = 0;
  return {
    push(chunk) {
      let offset = 0;
      while (offset < chunk.length) {
        const taken = chunk.copy(frame, filled, offset, Math.min(chunk.length, offset + frameBytes - filled));
        offset += taken;
        filled += taken;
        if (filled === frameBytes) {
          onFrame(frame);
          frame = pool.take();
          filled = 0;
        }
      }
    },
  };
}

export function jpegFrameReader(maxFrameBytes: number, onFrame: (frame: Buffer) => void, onOversize: () => void): FrameReader {
  let parts: Buffer[] = [];
  let length = 0;
  return {
    push(chunk) {
      let start = 0;
      // A marker may straddle two chunks: look one byte back into what is held.
      let previous = length > 0 ? parts[parts.length - 1]![parts[parts.length - 1]!.length - 1] : undefined;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (previous === 0xff && byte === 0xd9) {
          const piece = chunk.subarray(start, i + 1);
          const frame = Buffer.concat([...parts, piece], length + piece.length);
          parts = [];
          length = 0;
          start = i + 1;
          onFrame(frame);
          previous = undefined;
          continue;
        }
        previous = byte;
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        length += chunk.length - start;
      }
      if (length > maxFrameBytes) {
        parts = [];
        length = 0;
        onOversize();
      }
    },
  };
}
