// npm run soak:kafka — Kafka consumers (real algo processes) through broker faults; prints
// figures and a verdict (exit code 1 when it fails). For SOAK_SECONDS (default 120) frames
// stream into librdkafka's mock cluster (3 brokers) for a group of two consumers, while: the
// whole cluster is frozen for 25 s (SIGSTOP) and resumed, then a third consumer joins and later
// leaves (SIGTERM). Afterwards it waits for the stream to drain and prints consumer exits (any
// exit algo was not asked for), unhandled rejections reported, frames sent vs answered, missing
// and duplicate answers (at-least-once allows duplicates, with the same frame-id), and how long
// /readyz said kafka: false around the freeze. A missing frame is told apart by whether the
// broker still had it: the mock cluster keeps ~5 MiB per partition and deletes older messages,
// read or not. Frames are the fixture photos as a camera's sub-stream sends them (640 px on the
// long side, JPEG, 30–90 kB), so the backlog of the freeze fits; SOAK_FULL_PHOTOS=1 sends the
// photos as they are (0.1–1.4 MB), and then the mock deletes frames before any consumer can read
// them. Those count as deleted by the broker (algo reports what it can see of them in
// kafka_frames_skipped_total); a frame the broker kept that got no answer breaks at-least-once.
// The last line is the verdict.
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { FIXTURE_NAMES, readFixture } from '../test/helpers/images.js';
import { collect, produceFrames, startMockKafka, streamingEnv, testKafka } from '../test/helpers/mock-kafka.js';
import { freePort } from '../test/helpers/ports.js';
import { spawnAlgo, type AlgoProcess } from '../test/helpers/process.js';
import { buildCostModel } from './yolo-cost-model.js';
import { fmt } from './stats.js';

function soakSeconds(raw: string | undefined): number {
  const value = raw === undefined || raw === '' ? 120 : Number(raw);
  if (!Number.isInteger(value) || value < 60 || value > 3600) {
    console.error(`soak:kafka: SOAK_SECONDS=${JSON.stringify(raw)} is not allowed: give whole seconds from 60 to 3600 (default 120)`);
    process.exit(2);
  }
  return value;
}

const SECONDS = soakSeconds(process.env.SOAK_SECONDS);
const FRAMES_PER_SECOND = 3;
const FREEZE_MS = 25_000;
const DRAIN_TIMEOUT_MS = 300_000;
const NAME = 'soak';

interface Consumer {
  label: string;
  /** kafka_frames_skipped_total, read before the consumer was stopped. */
  skipped: number;
  algo: AlgoProcess;
  url: string;
  /** Set when the soak itself asked it to stop. */
  stopRequested: boolean;
  /** Seconds /readyz answered kafka: false, sampled once a second. */
  notReadySeconds: number;
}

await mkdir('.bench', { recursive: true });
const modelPath = '.bench/yolov8n-cost.onnx';
await writeFile(modelPath, buildCostModel().bytes);
const subStream = (photo: Buffer): Promise<Buffer> =>
  sharp(photo).resize(640, 640, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
const photos = await Promise.all(
  FIXTURE_NAMES.map(async (name) => (process.env.SOAK_FULL_PHOTOS === '1' ? readFixture(name) : subStream(await readFixture(name)))),
);

const broker = await startMockKafka(3);
const kafka = testKafka(broker.brokers);
const producer = kafka.producer({ allowAutoTopicCreation: true });
await producer.connect();
const { messages, consumer: collector } = await collect(kafka, [`${NAME}.detections`], `${NAME}-collector`);
const results = messages.get(`${NAME}.detections`) ?? [];
const admin = kafka.admin();
await admin.connect();

/** Per partition of the frames topic, the first offset the broker still has. */
async function logStarts(): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(`${NAME}.frames`);
  return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.low)]));
}

/** Frames sent and not answered, split by whether the broker deleted them before any consumer read them. */
async function unanswered(): Promise<{ deleted: string[]; kept: string[] }> {
  const answered = new Set(results.map((m) => m.headers['frame-id'] ?? ''));
  const starts = await logStarts();
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const id of sent.filter((id) => !answered.has(id))) {
    const [partition, offset] = (placed.get(id) ?? '-1/-1').split('/').map(Number) as [number, number];
    (BigInt(offset) < (starts.get(partition) ?? 0n) ? deleted : kept).push(id);
  }
  return { deleted, kept };
}

async function readSkipped(consumer: Consumer): Promise<void> {
  const text = await fetch(`${consumer.url}/metrics`).then(
    (response) => response.text(),
    () => '',
  );
  const match = new RegExp(`^kafka_frames_skipped_total\\{topic="${NAME}\\.frames"\\} (\\d+)`, 'm').exec(text);
  consumer.skipped = Number(match?.[1] ?? 0);
}

const consumers: Consumer[] = [];
async function startConsumer(label: string): Promise<Consumer> {
  const port = await freePort();
  const algo = spawnAlgo({
    PORT: String(port),
    ALGO_LOG_LEVEL: 'info',
    ALGO_MODEL_PATH: modelPath,
    ALGO_DETECT_CONCURRENCY: '1',
    ...streamingEnv(broker.brokers, NAME),
  });
  const consumer: Consumer = { label, skipped: 0, algo, url: `http://127.0.0.1:${port}`, stopRequested: false, notReadySeconds: 0 };
  consumers.push(consumer);
  return consumer;
}

let running = true;
const log = (what: string): void => console.log(`  ${fmt(performance.now() / 1000 - startedS, 0).padStart(5)} s  ${what}`);

/** Frames are sent one at a time; a frame counts as sent once the broker acknowledged it. */
const sent: string[] = [];
/** Where each sent frame went: `partition/offset`. */
const placed = new Map<string, string>();
let produceFailures = 0;
async function produce(): Promise<void> {
  for (let i = 0; running; i++) {
    const next = performance.now() + 1000 / FRAMES_PER_SECOND;
    const id = `frame-${i}`;
    try {
      const [where] = await produceFrames(producer, `${NAME}.frames`, [
        { key: `cam-${i % 8}`, value: photos[i % photos.length]!, headers: { 'frame-id': id } },
      ]);
      sent.push(id);
      if (where !== undefined) placed.set(id, `${where.partition}/${where.baseOffset}`);
    } catch {
      produceFailures++;
    }
    await sleep(Math.max(0, next - performance.now()));
  }
}

async function sampleReadiness(): Promise<void> {
  while (running) {
    await Promise.all(
      consumers
        .filter((c) => !c.stopRequested && c.algo.child.exitCode === null)
        .map(async (c) => {
          const body = await fetch(`${c.url}/readyz`)
            .then((response) => response.json() as Promise<{ checks?: { kafka?: boolean } }>)
            .catch(() => undefined);
          if (body?.checks?.kafka === false) c.notReadySeconds++;
        }),
    );
    await sleep(1000);
  }
}

console.log(
  `soak:kafka: ${SECONDS} s, ${FRAMES_PER_SECOND} frames/s into ${NAME}.frames (4 partitions, 3 mock brokers), YOLOv8n-cost model, 1 detector worker per consumer`,
);
const startedS = performance.now() / 1000;
await startConsumer('A');
await startConsumer('B');
const producing = produce();
const sampling = sampleReadiness();
const at = (fraction: number): Promise<void> => sleep(Math.max(0, startedS * 1000 + SECONDS * 1000 * fraction - performance.now()));

await at(0.15);
log('cluster frozen (SIGSTOP)');
broker.freeze();
await sleep(FREEZE_MS);
broker.resume();
log('cluster resumed (SIGCONT)');

await at(0.6);
const joining = await startConsumer('C');
log('consumer C joins');
await at(0.85);
await readSkipped(joining);
joining.stopRequested = true;
joining.algo.child.kill('SIGTERM');
log('consumer C leaves (SIGTERM)');

await at(1);
running = false;
await producing;
log(`stream stopped: ${sent.length} frames sent; draining`);
const drainStarted = performance.now();
while (performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
  const { kept } = await unanswered().catch(() => ({ kept: sent }));
  if (kept.length === 0) break;
  await sleep(1000);
}
await sampling;
log('drained');

const finalReadiness = await Promise.all(
  consumers
    .filter((c) => !c.stopRequested)
    .map(
      async (c) =>
        `${c.label}=${await fetch(`${c.url}/readyz`).then(
          (r) => r.status,
          () => 'none',
        )}`,
    ),
);
const unexpectedExits = consumers.filter((c) => !c.stopRequested && c.algo.child.exitCode !== null);
await Promise.all(consumers.filter((c) => !c.stopRequested).map(readSkipped));
const missingFrames = await unanswered();
const starts = await logStarts();
for (const c of consumers.filter((c) => !c.stopRequested)) {
  c.stopRequested = true;
  c.algo.child.kill('SIGTERM');
}
const exitCodes = await Promise.all(consumers.map(async (c) => `${c.label}=${(await c.algo.exit) ?? c.algo.child.signalCode}`));
const unhandled = consumers.filter((c) => /unhandled|uncaught/i.test(c.algo.output())).map((c) => c.label);
await Promise.all(consumers.map((c) => writeFile(`.bench/soak-kafka-${c.label}.log`, c.algo.output())));
await admin.disconnect();
await collector.disconnect();
await producer.disconnect();
await broker.stop();

const answered = new Set(results.map((m) => m.headers['frame-id'] ?? ''));
const missing = sent.filter((id) => !answered.has(id));
const byConsumer = new Map<string, number>();
for (const m of results) byConsumer.set(m.headers['algo-worker'] ?? '?', (byConsumer.get(m.headers['algo-worker'] ?? '?') ?? 0) + 1);
console.log('\nfigures:');
console.log(`  consumer exits not asked for       ${unexpectedExits.length}${unexpectedExits.map((c) => ` ${c.label}`).join('')}`);
console.log(`  exit codes after SIGTERM           ${exitCodes.join(' ')}`);
console.log(`  unhandled rejections reported      ${unhandled.length}${unhandled.map((label) => ` ${label}`).join('')}`);
console.log(`  frames sent (acknowledged)         ${sent.length} (${produceFailures} sends failed)`);
const firstIds = (ids: string[]): string =>
  ids.length > 0
    ? ` (${ids
        .slice(0, 8)
        .map((id) => `${id}@${placed.get(id) ?? '?'}`)
        .join(' ')}${ids.length > 8 ? ' …' : ''})`
    : '';
const skippedReported = consumers.reduce((sum, c) => sum + c.skipped, 0);
console.log(`  frames answered at least once      ${sent.length - missing.length}; missing ${missing.length} (id@partition/offset)`);
console.log(`    deleted by the broker unread     ${missingFrames.deleted.length}${firstIds(missingFrames.deleted)}`);
console.log(`    kept by the broker, unanswered   ${missingFrames.kept.length}${firstIds(missingFrames.kept)}`);
console.log(`  log start per partition at the end ${[...starts].map(([p, start]) => `${p}:${start}`).join(' ')}`);
console.log(
  `  frames skipped, algo's count       ${skippedReported} (kafka_frames_skipped_total: ${consumers.map((c) => `${c.label}=${c.skipped}`).join(' ')})`,
);
console.log(`  answers, duplicates                ${results.length}, ${results.length - answered.size} (same frame-id)`);
console.log(`  /readyz at the end                  ${finalReadiness.join(' ')}`);
console.log(`  answers per consumer               ${[...byConsumer.values()].join(', ')}`);
console.log(`  /readyz kafka false (s sampled)    ${consumers.map((c) => `${c.label}=${c.notReadySeconds}`).join(' ')}`);
console.log(`  consumer logs                      .bench/soak-kafka-{${consumers.map((c) => c.label).join(',')}}.log`);
const failures = [
  unexpectedExits.length > 0 ? `${unexpectedExits.length} consumer exit(s) not asked for` : '',
  unhandled.length > 0 ? `unhandled rejections in ${unhandled.join(' ')}` : '',
  missingFrames.kept.length > 0 ? `${missingFrames.kept.length} frame(s) the broker kept never answered (at-least-once broken)` : '',
].filter((failure) => failure !== '');
const deletedNote =
  missingFrames.deleted.length > 0
    ? `; ${missingFrames.deleted.length} frame(s) deleted by the broker before any consumer read them (not answerable), algo reported ${skippedReported} skipped`
    : '';
console.log(
  failures.length === 0
    ? `\nverdict: PASS — no consumer exits, no unhandled rejections, every frame the broker kept answered at least once${deletedNote}`
    : `\nverdict: FAIL — ${failures.join('; ')}${deletedNote}`,
);
if (failures.length > 0) process.exitCode = 1;
