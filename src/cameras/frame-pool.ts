// Reusable raw frame buffers for one camera.

/**
 * Frame-sized buffers algo is done with, for the reader to fill again. Every fresh frame is an
 * external ArrayBuffer; at tens of frames per second they alone made V8 run a full
 * mark-compact ("external memory pressure") about once a second on the detector's core.
 * A buffer given back must not be read or written by anyone else afterwards.
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  constructor(
    readonly frameBytes: number,
    private readonly max = 4,
  ) {}

  /** A free buffer, or a fresh one (its own ArrayBuffer, at offset 0). */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.frameBytes);
  }

  /** Returns a buffer taken from this pool; detached (transferred) or foreign buffers are ignored. */
  give(buffer: Buffer): void {
    if (
      buffer.length !== this.frameBytes ||
      buffer.buffer.byteLength !== this.frameBytes ||
      this.free.length >= this.max ||
      this.free.includes(buffer)
    )
      return;
    this.free.push(buffer);
  }
}
