// Push cameras' frames for the console (GET /api/v1/scenes/:id/snapshot.jpg): the last frame
// a push camera sent over HTTP or Kafka, with its boxes, track ids, zones and lines, encoded
// once per frame however many viewers ask.
import { snapshotJpeg } from '../cameras/snapshot.js';
import type { PushedFrame, Scenes } from '../scene/scenes.js';

export class PushSnapshots {
  private readonly made = new WeakMap<PushedFrame, Promise<Buffer>>();

  constructor(private readonly scenes: Scenes) {}

  /** Undefined when the camera has sent no frame yet (or is no tracked push camera). */
  jpeg(cameraId: string): Promise<Buffer> | undefined {
    const last = this.scenes.lastPushed(cameraId);
    if (last === undefined) return undefined;
    let jpeg = this.made.get(last);
    if (jpeg === undefined) {
      const { width, height } = last.response.image;
      jpeg = snapshotJpeg(
        { data: last.image, receivedAt: 0, sourceWidth: width, sourceHeight: height, format: 'jpeg' },
        { width: 0, height: 0 },
        last.response,
        this.scenes.view(cameraId),
      );
      this.made.set(last, jpeg);
    }
    return jpeg;
  }
}
