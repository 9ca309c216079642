// Reusable raw frame buffers for one camera, in shared memory: a detector worker reads a frame
// where it lies instead of getting a copy (allocating and copying 0.8 MB per frame cost more
// than a millisecond of the event loop's time per frame).

/**
 * Frame-sized buffers algo is done with, for the reader to fill again. Every fresh frame is an
 * external ArrayBuffer; at tens of frames per second they alone made V8 run a full
 * mark-compact ("external memory pressure") about once a second on the detector's core.
 * A buffer given back must not be read or written by anyone else afterwards — a detector
 * worker included: a frame goes back only once its detection has finished.
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  constructor(
    readonly frameBytes: number,
    private readonly max = 4,
  ) {}

  /** A free buffer, or a fresh one (its own SharedArrayBuffer, at offset 0). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.from(new SharedArrayBuffer(this.frameBytes));
  }

  /** Returns a buffer taken from this pool; foreign buffers (not whole, not shared) are ignored. */
  give(buffer: Buffer): void {
    if (
      !(buffer.buffer instanceof SharedArrayBuffer) ||
      buffer.length !== this.frameBytes ||
      buffer.buffer.byteLength !== this.frameBytes ||
      this.free.length >= this.max ||
      this.free.includes(buffer)
    )
      return;
    this.free.push(buffer);
  }
}
