// POST /api/v1/detect: an encoded image (see frame-request.ts) in, detections out. Every
// refusal, including a client that goes away, is counted in detection_errors_total by reason
// (frame-bodies.ts). A frame whose client left while it waited in the queue is never detected.
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../detect/pipeline.js';
import type { DetectionRecorder } from '../metrics/detection-metrics.js';
import { clientSignal } from './client-gone.js';
import { sendError } from './error-reply.js';
import { acceptFrameBodies } from './frame-bodies.js';
import { readImageRequest } from './frame-request.js';

export interface DetectRouteOptions {
  pipeline: DetectionPipeline;
  recorder: DetectionRecorder;
  maxBodyBytes: number;
}

/** POST /api/v1/detect, in a scope prepared by acceptFrameBodies. */
export function detectRoute(app: FastifyInstance, { pipeline, maxBodyBytes }: Pick<DetectRouteOptions, 'pipeline' | 'maxBodyBytes'>): void {
  app.post('/api/v1/detect', { bodyLimit: maxBodyBytes, config: { scope: 'detect' } }, async (request, reply) => {
    const { image, declaredType, cameraId } = await readImageRequest(request, { maxBytes: maxBodyBytes });
    const result = await pipeline.detect(image, cameraId, clientSignal(reply), declaredType);
    if (!result.ok) return sendError(result.error, request, reply);
    return reply.send(result.value);
  });
}

/** A plugin serving POST /api/v1/detect alone. */
export async function detectRoutes(app: FastifyInstance, options: DetectRouteOptions): Promise<void> {
  await acceptFrameBodies(app, options);
  detectRoute(app, options);
}
