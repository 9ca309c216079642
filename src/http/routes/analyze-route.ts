// POST /api/v1/analyze: the detect answer plus a scene `summary` (LLM or template), for the
// same bodies as /api/v1/detect (in a scope prepared by acceptFrameBodies); a tracked camera's
// frame goes through its scene as on /api/v1/detect. The summary never fails the request; the
// client leaving or shutdown cancels the LLM call.
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../../detect/pipeline.js';
import type { SceneSummarizer } from '../../llm/scene-summarizer.js';
import { clientSignal } from '../connections/client-gone.js';
import { captureSecondsOf, readImageRequest } from '../frames/frame-request.js';
import { trackHttpFrame } from './detect-route.js';
import type { Scenes } from '../../scene/scenes.js';
import type { PublishedEvent } from '../../scene/event-buffer.js';
import { sendError } from '../error-reply.js';

export interface AnalyzeRouteOptions {
  pipeline: DetectionPipeline;
  summarizer: SceneSummarizer;
  maxBodyBytes: number;
  /** Aborts on shutdown. */
  shutdown: AbortSignal;
  scenes?: Scenes | undefined;
  publishEvents?: ((events: readonly PublishedEvent[]) => void) | undefined;
}

export function analyzeRoute(
  app: FastifyInstance,
  { pipeline, summarizer, maxBodyBytes, shutdown, scenes, publishEvents }: AnalyzeRouteOptions,
): void {
  app.post('/api/v1/analyze', { bodyLimit: maxBodyBytes, config: { scope: 'analyze' } }, async (request, reply) => {
    const { image, declaredType, cameraId } = await readImageRequest(request, { maxBytes: maxBodyBytes });
    const capturedAt = captureSecondsOf(request);
    const clientLeft = clientSignal(reply);
    const result = await pipeline.detect(image, cameraId, clientLeft, declaredType);
    if (!result.ok) return sendError(result.error, request, reply);
    const response = trackHttpFrame(scenes, publishEvents, cameraId, capturedAt, result.value, image);
    const summary = await summarizer.summarize(response, image, AbortSignal.any([clientLeft, shutdown]));
    return reply.send({ ...response, summary });
  });
}
