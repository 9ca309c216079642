// POST /api/v1/analyze: the detect answer plus a scene `summary` (LLM or template). The
// summary never fails the request; the client leaving or shutdown cancels the LLM call.
import type { FastifyInstance } from 'fastify';
import type { DetectionPipeline } from '../detect/pipeline.js';
import type { SceneSummarizer } from '../llm/scene-summarizer.js';
import { sendError } from './error-reply.js';
import { readImageRequest } from './image-request.js';

export interface AnalyzeRouteOptions {
  pipeline: DetectionPipeline;
  summarizer: SceneSummarizer;
  maxBodyBytes: number;
  /** Aborts on shutdown. */
  shutdown: AbortSignal;
}

export function analyzeRoute(app: FastifyInstance, { pipeline, summarizer, maxBodyBytes, shutdown }: AnalyzeRouteOptions): void {
  app.post('/api/v1/analyze', { bodyLimit: maxBodyBytes }, async (request, reply) => {
    const clientGone = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) clientGone.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const { image, cameraId } = await readImageRequest(request);
      const result = await pipeline.detect(image, cameraId);
      if (!result.ok) return sendError(result.error, request, reply);
      const summary = await summarizer.summarize(result.value, image, AbortSignal.any([clientGone.signal, shutdown]));
      return reply.send({ ...result.value, summary });
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
