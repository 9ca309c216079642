// POST /api/v1/detect: objects, groups and timings for one image (see image-request.ts for
// the accepted bodies).
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../detect/pipeline.js';
import { sendError } from './error-reply.js';
import { readImageRequest } from './image-request.js';

export interface DetectRouteOptions {
  pipeline: DetectionPipeline;
  maxBodyBytes: number;
}

export function detectRoute(app: FastifyInstance, { pipeline, maxBodyBytes }: DetectRouteOptions): void {
  app.post('/api/v1/detect', { bodyLimit: maxBodyBytes }, async (request, reply) => {
    const { image, cameraId } = await readImageRequest(request);
    const result = await pipeline.detect(image, cameraId);
    if (!result.ok) return sendError(result.error, request, reply);
    return reply.send(result.value);
  });
}
