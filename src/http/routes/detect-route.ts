// POST /api/v1/detect: an encoded image (see frame-request.ts) in, detections out. Every
// refusal, including a client that goes away, is counted in detection_errors_total by reason
// (frame-bodies.ts). A frame whose client left while it waited in the queue is never detected.
// Frames of a tracked camera go through its scene at their capture time: the answer carries
// track ids, and the frame's events are handed to `publishEvents` (Kafka, when on).
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../../detect/pipeline.js';
import type { DetectionResponse } from '../../detect/types.js';
import type { DetectionRecorder } from '../../metrics/recorders/detection-metrics.js';
import { clientSignal } from '../connections/client-gone.js';
import { sendError } from '../error-reply.js';
import { acceptFrameBodies } from '../frames/frame-bodies.js';
import { captureSecondsOf, readImageRequest } from '../frames/frame-request.js';
import type { Scenes } from '../../scene/scenes.js';
import type { PublishedEvent } from '../../scene/event-buffer.js';

export interface DetectRouteOptions {
  pipeline: DetectionPipeline;
  recorder: DetectionRecorder;
  maxBodyBytes: number;
  scenes?: Scenes | undefined;
  publishEvents?: ((events: readonly PublishedEvent[]) => void) | undefined;
}

/** POST /api/v1/detect, in a scope prepared by acceptFrameBodies. */
export function detectRoute(
  app: FastifyInstance,
  { pipeline, maxBodyBytes, scenes, publishEvents }: Omit<DetectRouteOptions, 'recorder'>,
): void {
  app.post('/api/v1/detect', { bodyLimit: maxBodyBytes, config: { scope: 'detect' } }, async (request, reply) => {
    const { image, declaredType, cameraId } = await readImageRequest(request, { maxBytes: maxBodyBytes });
    const capturedAt = captureSecondsOf(request);
    const result = await pipeline.detect(image, cameraId, clientSignal(reply), declaredType);
    if (!result.ok) return sendError(result.error, request, reply);
    return reply.send(trackHttpFrame(scenes, publishEvents, cameraId, capturedAt, result.value, image));
  });
}

/**
 * A detected HTTP frame through its camera's scene when the camera is tracked: the result with
 * track ids (the events go to `publishEvents`; `image`, the encoded frame, is kept as a push
 * camera's last frame for the console); other cameras' results come back unchanged.
 */
export function trackHttpFrame(
  scenes: Scenes | undefined,
  publishEvents: ((events: readonly PublishedEvent[]) => void) | undefined,
  cameraId: string,
  capturedAt: number,
  response: DetectionResponse,
  image: Buffer,
): DetectionResponse {
  const tracked = scenes?.track(cameraId, capturedAt, response, 'http', { kind: 'encoded', image });
  if (tracked === undefined) return response;
  if (tracked.events.length > 0) publishEvents?.(tracked.events);
  return tracked.response;
}

/** A plugin serving POST /api/v1/detect alone. */
export async function detectRoutes(app: FastifyInstance, options: DetectRouteOptions): Promise<void> {
  await acceptFrameBodies(app, options);
  detectRoute(app, options);
}
