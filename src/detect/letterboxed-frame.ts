// The two things every worker-pool detector does around the model: map candidates from
// model-input pixels back to the frame, and run a frame that arrives already letterboxed to
// the model's input size (camera frames: ffmpeg scales and pads them). The worker gets an
// identity geometry, so it only lays the bytes out as its model wants (NCHW 0..1, NHWC…).
import { letterboxGeometry, unletterbox, type LetterboxGeometry } from './letterbox.js';
import type { Candidate } from './nms.js';
import type { DetectedObject, DetectorOutput, LetterboxedFrame } from './types.js';
import type { WorkerPool } from './worker/worker-pool.js';

export function candidatesToObjects(candidates: readonly Candidate[], classNames: readonly string[], geometry: LetterboxGeometry, width: number, height: number): DetectedObject[] {
  return candidates.map((candidate) => ({
    label: classNames[candidate.classId] ?? `class_${candidate.classId}`,
    class_id: candidate.classId,
    score: Math.round(candidate.score * 10_000) / 10_000,
    box: unletterbox(candidate.x1, candidate.y1, candidate.x2, candidate.y2, geometry, width, height),
  }));
}

/** Runs a pre-letterboxed frame on the pool; boxes come back in source-frame pixels. */
export async function detectLetterboxed(pool: WorkerPool, frame: LetterboxedFrame): Promise<DetectorOutput> {
  const { inputWidth, inputHeight, classNames } = pool.info;
  if (frame.pixels.length !== inputWidth * inputHeight * 3) {
    throw new Error(`letterboxed frame has ${frame.pixels.length} bytes, the detector wants ${inputWidth}x${inputHeight} RGB`);
  }
  const identity: LetterboxGeometry = { scale: 1, padLeft: 0, padTop: 0, resizedWidth: inputWidth, resizedHeight: inputHeight, inputWidth, inputHeight };
  const { candidates, timings } = await pool.run(frame.pixels, inputWidth, inputHeight, identity);
  const post = performance.now();
  const geometry = letterboxGeometry(frame.sourceWidth, frame.sourceHeight, inputWidth, inputHeight);
  const objects = candidatesToObjects(candidates, classNames, geometry, frame.sourceWidth, frame.sourceHeight);
  return { objects, timings: { ...timings, decode: 0, postprocess: timings.postprocess + performance.now() - post } };
}
