// POST /api/v1/analyze: the detect answer plus a scene `summary` (LLM or template), for the
// same bodies as /api/v1/detect (in a scope prepared by acceptFrameBodies). The summary never
// fails the request; the client leaving or shutdown cancels the LLM call.
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../detect/pipeline.js';
import type { SceneSummarizer } from '../llm/scene-summarizer.js';
import { clientSignal } from './client-gone.js';
import { readImageRequest } from './frame-request.js';
import { sendError } from './error-reply.js';

export interface AnalyzeRouteOptions {
  pipeline: DetectionPipeline;
  summarizer: SceneSummarizer;
  maxBodyBytes: number;
  /** Aborts on shutdown. */
  shutdown: AbortSignal;
}

export function analyzeRoute(app: FastifyInstance, { pipeline, summarizer, maxBodyBytes, shutdown }: AnalyzeRouteOptions): void {
  app.post('/api/v1/analyze', { bodyLimit: maxBodyBytes, config: { scope: 'analyze' } }, async (request, reply) => {
    const { image, declaredType, cameraId } = await readImageRequest(request, { maxBytes: maxBodyBytes });
    const clientLeft = clientSignal(reply);
    const result = await pipeline.detect(image, cameraId, clientLeft, declaredType);
    if (!result.ok) return sendError(result.error, request, reply);
    const summary = await summarizer.summarize(result.value, image, AbortSignal.any([clientLeft, shutdown]));
    return reply.send({ ...result.value, summary });
  });
}
