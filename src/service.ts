// Composition root: builds the metrics, detector, HTTP servers, cameras and (optionally) the
// Kafka frame consumer from one Config, starts them, and stops them in order. ALGO_ROLE=ingest runs
// only the cameras, producing their frames to Kafka: no detector is loaded.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { buildApp, buildMetricsApp } from './http/app.js';
import { Lifecycle } from './http/lifecycle.js';
import { createLogger } from './logger.js';
import { RateLimitedLog } from './log/rate-limited-log.js';
import { createMetrics, type AlgoMetrics } from './metrics/metrics.js';
import { createPipeline, type DetectionPipeline } from './detect/pipeline.js';
import { detectRoute } from './http/routes/detect-route.js';
import { acceptFrameBodies } from './http/frames/frame-bodies.js';
import { analyzeRoute } from './http/routes/analyze-route.js';
import { createLlmService, type LlmService } from './llm/llm-service.js';
import { FrameConsumer } from './kafka/frame-consumer.js';
import { partitionConcurrency } from './kafka/kafka-config.js';
import { KafkaJsClient } from './kafka/kafkajs-client.js';
import { KafkaSummaries } from './kafka/summaries.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { CameraManager } from './cameras/camera-manager.js';
import type { CameraOutput } from './cameras/frame-routing.js';
import { checkFfmpeg } from './cameras/ffmpeg-process.js';
import { camerasUnavailable, messageOf } from './errors.js';
import { cameraRoutes } from './http/routes/camera-routes.js';
import { KafkaProducer, type RecordSink } from './kafka/producer.js';
import { eventPublisher } from './kafka/event-records.js';
import { COCO80 } from './detect/formats/class-names.js';
import { EventBuffer } from './scene/event-buffer.js';
import { parseSceneConfig } from './scene/scene-config.js';
import { Scenes } from './scene/scenes.js';
import { eventRoutes } from './http/routes/event-routes.js';
import { createAccessControl, type AccessControl } from './auth/access-control.js';
import { readTlsPair, reloadTls } from './http/tls.js';
import { SessionStore } from './auth/sessions.js';
import { consoleRoutes } from './console/console-routes.js';
import { HealthHistory } from './console/health-history.js';
import { EventCrops } from './scene/event-crops.js';
import { basename } from 'node:path';

export interface RunningService {
  readonly logger: Logger;
  readonly metrics: AlgoMetrics;
  readonly app: FastifyInstance;
  readonly metricsApp: FastifyInstance | undefined;
  /** Absent in the ingest role. */
  readonly pipeline: DetectionPipeline | undefined;
  readonly frameConsumer: FrameConsumer | undefined;
  readonly cameras: CameraManager | undefined;
  readonly llm: LlmService;
  readonly access: AccessControl;
  /** SIGHUP: re-reads the LLM keys file, the API tokens file and the TLS pair; a bad one stays as it was (logged). */
  reload(): Promise<void>;
  /** Drains and stops everything; resolves to the exit code. */
  stop(reason: string): Promise<number>;
}

/** The bound port (differs from the configured one when that was 0). */
export function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export interface ServiceOptions {
  logger?: Logger;
  /** Extra routes added beside algo's own (tests use this for slow or failing handlers). */
  routes?: (app: FastifyInstance) => void;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const lifecycle = new Lifecycle();
  const throttledLog = new RateLimitedLog(logger, { intervalMs: config.logSummaryIntervalMs });
  const metrics = createMetrics(config.metrics);
  // First: a bad keys or prompt file is a configuration error, reported before the detector loads.
  const llm = await createLlmService(config.llm, metrics, logger);
  const access = await createAccessControl({
    config: config.auth,
    metricsToken: config.metrics.token,
    recorder: metrics.auth,
    throttledLog,
    logger,
  });
  logAccessMode(access, config, logger);
  const tls = config.http.tls === undefined ? undefined : await readTlsPair(config.http.tls);
  const cameraConfigs = config.cameras.cameras;
  if (cameraConfigs.some((camera) => camera.enabled)) {
    const version = await checkFfmpeg(config.cameras.ffmpegPath).catch((error: unknown) => {
      throw camerasUnavailable(messageOf(error));
    });
    logger.info({ ffmpeg: version, cameras: cameraConfigs.length, file: config.cameras.file }, 'cameras configured');
  }
  const pipeline =
    config.role === 'ingest'
      ? undefined
      : await createPipeline(config.detect, metrics.detection, (reason) =>
          logger.error({ reason }, 'detector worker stopped; starting a replacement'),
        );
  if (pipeline !== undefined) {
    const sizing = pipeline.sizing;
    logger.info(
      {
        modelType: pipeline.modelType,
        detector: config.detect.detector,
        modelPath: config.detect.modelPath,
        concurrency: pipeline.concurrency,
        threads: sizing?.threads,
        why: sizing?.reason,
        workerRssMiB: sizing === undefined ? undefined : Math.round(sizing.workerBytes / 2 ** 20),
      },
      `detector loaded: ${pipeline.concurrency} worker(s) × ${sizing?.threads ?? 1} thread(s) (${sizing?.reason ?? 'configured'})`,
    );
    if (sizing?.warning !== undefined) logger.warn({ concurrency: pipeline.concurrency, threads: sizing.threads }, sizing.warning);
  }

  // Scenes are checked against the loaded model's labels: a bad one stops start-up here, before serving.
  const events = new EventBuffer(config.events.bufferSize);
  const sceneConfigs =
    pipeline === undefined
      ? []
      : config.cameras.scenes.map(({ cameraId, raw, enabled, push }) => ({
          cameraId,
          enabled,
          pulled: !push,
          config: parseSceneConfig(cameraId, raw, pipeline.classNames ?? COCO80, config.cameras.file ?? 'ALGO_CAMERAS_FILE'),
        }));
  const tracked = sceneConfigs.filter((scene) => scene.enabled);
  // Each event's object crop for the console's camera page: the newest 32 per camera (the page lists 30).
  const crops = new EventCrops({ perCamera: 32, maxPending: 8, record: (outcome) => metrics.scene.eventCrop(outcome) });
  const scenes = pipeline === undefined ? undefined : new Scenes(tracked, events, metrics.scene, Date.now, crops);
  if (tracked.length > 0) logger.info({ cameras: tracked.map((scene) => scene.cameraId) }, 'scene analytics on for these cameras');

  let producer: RecordSink | undefined;
  if (pipeline === undefined) producer = cameraConfigs.length > 0 ? new KafkaProducer(config.kafka) : undefined;
  else if (config.kafka.enabled && (cameraConfigs.length > 0 || (scenes?.size ?? 0) > 0)) producer = new KafkaProducer(config.kafka);
  const publishEvents =
    producer === undefined || pipeline === undefined ? undefined : eventPublisher(producer, config.kafka.eventsTopic, metrics.kafka);
  let cameras: CameraManager | undefined;
  if (cameraConfigs.length > 0) {
    let output: CameraOutput;
    if (pipeline === undefined) {
      output = { role: 'ingest', sink: producer!, topic: config.kafka.inputTopic };
    } else {
      output = {
        role: 'detect',
        pipeline,
        ...(producer === undefined
          ? {}
          : { results: { sink: producer, topic: config.kafka.outputTopic, eventsTopic: config.kafka.eventsTopic } }),
      };
    }
    cameras = new CameraManager({
      cameras: cameraConfigs,
      ffmpegPath: config.cameras.ffmpegPath,
      output,
      metrics: metrics.cameras,
      kafka: metrics.kafka,
      logger,
      scenes,
    });
  }
  // The web console: sessions end with their token (a reload that revokes it); health sampled every 5 s for 10 minutes.
  const sessions = new SessionStore(config.console.sessions);
  access.onRevoked((names) => sessions.revoke(names));
  const history = cameras === undefined ? undefined : new HealthHistory(cameras, 5000, 120);
  const stopping = new AbortController();
  // Aborted once the listener closes (after the shutdown delay, while in-flight requests
  // drain): LLM calls still running then are cut, and their requests answer with the template.
  const draining = new AbortController();
  const { maxBodyBytes } = config.detect;
  const app = buildApp({
    config,
    logger,
    metrics,
    lifecycle,
    throttledLog,
    access,
    sessions,
    tls,
    routes: (instance) => {
      // /api/v1/detect and /api/v1/analyze share one scope: the same bodies, limits and error accounting.
      if (pipeline !== undefined) {
        void instance.register(async (scope) => {
          await acceptFrameBodies(scope, { recorder: metrics.detection, maxBodyBytes });
          detectRoute(scope, { pipeline, maxBodyBytes, scenes, publishEvents });
          analyzeRoute(scope, { pipeline, summarizer: llm.summarizer, maxBodyBytes, shutdown: draining.signal, scenes, publishEvents });
        });
      }
      if (cameras !== undefined) void instance.register(cameraRoutes, { cameras });
      if (pipeline !== undefined) {
        void instance.register(eventRoutes, {
          buffer: events,
          crops,
          metrics: metrics.scene,
          heartbeatMs: config.events.heartbeatMs,
          maxPendingBytes: config.events.streamMaxPendingBytes,
          access,
          sessions,
        });
      }
      void instance.register(consoleRoutes, {
        access,
        sessions,
        secure: tls !== undefined,
        cameras,
        scenes,
        history,
        labels: pipeline?.classNames ?? COCO80,
        trackedLabels: (id) => scenes?.trackedLabels(id),
        system: {
          pipeline,
          model: {
            file: config.detect.modelPath === undefined ? 'built-in' : basename(config.detect.modelPath),
            detector: config.detect.detector,
          },
          registry: metrics.registry,
          keys: llm.router,
          kafkaEnabled: config.kafka.enabled,
          metricsPath: config.metrics.enabled && config.metrics.port === undefined ? config.metrics.path : undefined,
          grafanaUrl: config.console.grafanaUrl,
        },
      });
      options.routes?.(instance);
    },
  });
  const metricsApp =
    config.metrics.enabled && config.metrics.port !== undefined
      ? buildMetricsApp({ config, logger, metrics, lifecycle, throttledLog, access, tls })
      : undefined;

  const frameConsumer =
    config.kafka.enabled && pipeline !== undefined
      ? new FrameConsumer({
          config: config.kafka,
          client: new KafkaJsClient({
            ...config.kafka,
            partitionsConsumedConcurrently: partitionConcurrency(config.kafka.partitionsConsumedConcurrently, pipeline.concurrency),
          }),
          pipeline,
          recorder: metrics.kafka,
          logger,
          throttledLog,
          maxFrameBytes: maxBodyBytes,
          summaries: config.llm.streamSummaries ? new KafkaSummaries(llm.summarizer, config.llm.minIntervalS * 1000) : undefined,
          scenes,
        })
      : undefined;
  if (frameConsumer !== undefined) lifecycle.addCheck({ name: 'kafka', ready: () => frameConsumer.ready() });

  await app.listen({ port: config.port, host: config.host });
  if (metricsApp !== undefined) await metricsApp.listen({ port: config.metrics.port, host: config.host });
  if (config.metrics.enabled) {
    const where = config.metrics.port === undefined ? '' : ` on port ${config.metrics.port}`;
    logger.info(`Prometheus metrics endpoint enabled at ${config.metrics.path}${where}`);
  } else {
    logger.info('Prometheus metrics endpoint disabled (ALGO_ENABLE_PROMETHEUS=false)');
  }
  cameras?.start();
  history?.start();
  lifecycle.markReady();
  const consumerStarted = frameConsumer === undefined ? Promise.resolve() : startWithRetry(frameConsumer, logger, stopping.signal);
  logger.info(
    {
      port: portOf(app),
      metricsPort: metricsApp === undefined ? undefined : portOf(metricsApp),
      host: config.host,
      scheme: tls === undefined ? 'http' : 'https',
      auth: access.mode,
    },
    'algo is ready',
  );

  return {
    logger,
    metrics,
    app,
    metricsApp,
    pipeline,
    frameConsumer,
    cameras,
    llm,
    access,
    async reload() {
      await llm.reloadKeys();
      await access.reload();
      if (config.http.tls !== undefined) await reloadTls(metricsApp === undefined ? [app] : [app, metricsApp], config.http.tls, logger);
    },
    stop(reason) {
      stopping.abort();
      return shutDown(reason, {
        config,
        logger,
        lifecycle,
        draining,
        cameras,
        history,
        frameConsumer: frameConsumer === undefined ? undefined : { consumer: frameConsumer, started: consumerStarted },
        servers: metricsApp === undefined ? [app] : [app, metricsApp],
        pipeline,
        producer,
        throttledLog,
      });
    },
  };
}

/** The start-up line naming the access mode (a warning when every client may use everything). */
function logAccessMode(access: AccessControl, config: Config, logger: Logger): void {
  const fields = { mode: access.mode, tokens: access.tokenNames, tokensFile: config.auth.tokensFile };
  switch (access.mode) {
    case 'none':
      logger.warn(fields, 'API access control off (ALGO_API_AUTH=none): every client that reaches the port may use every route');
      return;
    case 'loopback':
      logger.info(
        fields,
        access.tokenNames.length === 0
          ? 'API access: loopback (clients on this machine only; set ALGO_API_TOKENS or ALGO_API_TOKENS_FILE to admit other hosts, see docs/security.md)'
          : 'API access: loopback (clients on this machine without a token, other hosts with one)',
      );
      return;
    case 'tokens':
      if (access.tokenNames.length === 0) logger.warn(fields, 'API access: tokens, but no token is configured: only health probes answer');
      else logger.info(fields, "API access: tokens (every API request needs a bearer token with the route's scope)");
  }
}

interface ShutdownParts {
  config: Pick<Config, 'shutdownDelayMs' | 'shutdownTimeoutMs'>;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Aborted once the listener closes: LLM calls still running are cut (template summaries). */
  draining: AbortController;
  cameras: CameraManager | undefined;
  history: HealthHistory | undefined;
  frameConsumer: { consumer: FrameConsumer; started: Promise<void> } | undefined;
  servers: FastifyInstance[];
  pipeline: DetectionPipeline | undefined;
  producer: RecordSink | undefined;
  throttledLog: RateLimitedLog;
}

/**
 * The shutdown sequence, in order:
 * 1. /readyz reports draining for ALGO_SHUTDOWN_DELAY_MS while everything still serves, so load
 *    balancers stop sending;
 * 2. new requests are refused and running LLM calls cut;
 * 3. every ffmpeg exits (frames in hand are finished);
 * 4. the Kafka consumer finishes its frames, commits them and leaves its group;
 * 5. the HTTP servers drain in-flight requests (bounded by ALGO_SHUTDOWN_TIMEOUT_MS, then closed);
 * 6. the detector workers and the Kafka producer close; summarised log lines are flushed.
 * Resolves to the exit code.
 */
async function shutDown(reason: string, parts: ShutdownParts): Promise<number> {
  const { config, logger, lifecycle } = parts;
  lifecycle.markDraining();
  parts.history?.stop();
  if (config.shutdownDelayMs > 0) {
    logger.info({ reason, delayMs: config.shutdownDelayMs }, 'shutting down: readiness reports draining; still serving');
    await sleep(config.shutdownDelayMs);
  }
  lifecycle.markStopping();
  parts.draining.abort();
  await parts.cameras?.stop();
  if (parts.frameConsumer !== undefined) {
    const { consumer, started } = parts.frameConsumer;
    const left = started.then(() => consumer.stop());
    const stopped = await withinTimeout(left, config.shutdownTimeoutMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'kafka consumer did not stop cleanly');
      return true;
    });
    if (!stopped) logger.warn('shutdown timeout reached before the kafka consumer left its group');
  }
  logger.info({ reason, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining in-flight requests');
  const clean = await withinTimeout(Promise.all(parts.servers.map((server) => server.close())), config.shutdownTimeoutMs);
  if (!clean) {
    logger.warn('shutdown timeout reached; closing remaining connections');
    for (const server of parts.servers) server.server.closeAllConnections();
  }
  await parts.pipeline?.close();
  await parts.producer?.close().catch((error: unknown) => logger.warn({ err: error }, 'kafka producer did not close cleanly'));
  parts.throttledLog.flush();
  logger.info('algo stopped');
  return 0;
}

/** True when `work` settles within `ms`, false when the time ran out first. */
async function withinTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Brokers may be down at start-up: keep trying with backoff, logging once per outage. */
async function startWithRetry(consumer: FrameConsumer, logger: Logger, stopping: AbortSignal): Promise<void> {
  let delayMs = 500;
  let failures = 0;
  while (!stopping.aborted) {
    try {
      await consumer.start();
      if (failures > 0) logger.info({ failures }, 'kafka consumer started after broker outage');
      return;
    } catch (error) {
      if (failures++ === 0) logger.warn({ err: error }, 'kafka unavailable at start-up; retrying with backoff');
      await sleep(delayMs, undefined, { signal: stopping }).catch(() => undefined);
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  }
}
