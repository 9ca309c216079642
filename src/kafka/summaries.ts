// Scene summaries in Kafka mode, off the partition's path: a summary is started after a
// frame's detection when its camera is due (at most once per ALGO_LLM_MIN_INTERVAL_S), and
// rides on the first output message of that camera published after it is ready, with the
// frame_id it describes. A summary still running when the camera's next one is due is
// abandoned and counted (llm_scene_failures_total{reason="stream_not_ready"}).
import type { DetectionResponse } from '../detect/types.js';
import type { SceneSummarizer, SceneSummary } from '../llm/scene-summarizer.js';
import type { LlmErrorCode } from '../errors.js';

export type KafkaSummary = SceneSummary & { frame_id: string };

interface CameraSummary {
  startedAt: number;
  abort: AbortController;
  ready: KafkaSummary | undefined;
  settled: boolean;
}

export class KafkaSummaries {
  private readonly cameras = new Map<string, CameraSummary>();
  private closed = false;

  constructor(
    private readonly summarizer: SceneSummarizer,
    private readonly minIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** After a frame's detection: starts its summary when the camera is due. Never waits. */
  consider(detection: DetectionResponse, image: Buffer, frameId: string): void {
    if (this.closed) return;
    const cameraId = detection.camera_id;
    const current = this.cameras.get(cameraId);
    const now = this.now();
    if (current !== undefined && now - current.startedAt < this.minIntervalMs) return;
    // The summarizer counts the abandoned summary under this reason.
    if (current !== undefined && !current.settled) current.abort.abort('stream_not_ready' satisfies LlmErrorCode);
    // A ready summary never picked up (the camera went quiet) is replaced by the newer one.
    const entry: CameraSummary = { startedAt: now, abort: new AbortController(), ready: undefined, settled: false };
    this.cameras.set(cameraId, entry);
    void this.summarizer.summarize(detection, image, entry.abort.signal).then((summary) => {
      entry.settled = true;
      if (!entry.abort.signal.aborted) entry.ready = { ...summary, frame_id: frameId };
    });
  }

  /** The camera's finished summary, handed out once. */
  take(cameraId: string): KafkaSummary | undefined {
    const entry = this.cameras.get(cameraId);
    const ready = entry?.ready;
    if (entry !== undefined) entry.ready = undefined;
    return ready;
  }

  /** Shutdown: abandons the summaries in flight. */
  close(): void {
    this.closed = true;
    for (const entry of this.cameras.values()) entry.abort.abort();
  }
}
