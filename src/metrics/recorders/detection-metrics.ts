// Detection business metrics and their recorders (the old service's record_detection).
import { Counter, Histogram, type Registry } from 'prom-client';
import { CameraLabeler } from '../camera-label.js';

export interface DetectionRecord {
  cameraId: string;
  modelType: string;
  latencySeconds: number;
  numObjects: number;
  numGroups: number;
}

export interface DetectionRecorder {
  recordDetection(record: DetectionRecord): void;
  recordDetectionError(reason: string): void;
}

export function createDetectionMetrics(registry: Registry, maxCameras: number): DetectionRecorder {
  const cameras = new CameraLabeler(maxCameras);
  const total = new Counter({
    name: 'detection_total',
    help: 'Frames run through a detector, by camera (capped by ALGO_MAX_CAMERAS) and model.',
    labelNames: ['camera_id', 'model_type'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'detection_latency_seconds',
    help: 'Time to detect objects in one frame, decode to result, by model.',
    labelNames: ['model_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const objects = new Histogram({
    name: 'detection_objects',
    help: 'Objects detected per frame, by model.',
    labelNames: ['model_type'] as const,
    buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100, 300],
    registers: [registry],
  });
  const groups = new Histogram({
    name: 'detection_groups',
    help: 'Groups of people found per frame, by model.',
    labelNames: ['model_type'] as const,
    buckets: [0, 1, 2, 3, 5, 10, 20, 50],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'detection_errors_total',
    help: 'Frames that could not be detected, by reason (the error code).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  return {
    recordDetection({ cameraId, modelType, latencySeconds, numObjects, numGroups }) {
      total.inc({ camera_id: cameras.label(cameraId), model_type: modelType });
      latency.observe({ model_type: modelType }, latencySeconds);
      objects.observe({ model_type: modelType }, numObjects);
      groups.observe({ model_type: modelType }, numGroups);
    },
    recordDetectionError(reason) {
      errors.inc({ reason });
    },
  };
}
