// A real Kafka-protocol broker for tests: librdkafka's mock cluster, started through Debian's
// kcat in consumer mode; it listens on 127.0.0.1 and prints bootstrap.servers=… when up.
// Topics are auto-created with 4 partitions. Each partition keeps about 5 MiB: beyond that the
// oldest messages are deleted, read or not (like retention.bytes), so a backlog of large frames
// loses its oldest. Faults: freeze() and resume() stop and continue
// the whole cluster (SIGSTOP/SIGCONT); a new cluster can take a killed one's ports (`ports`),
// through a small LD_PRELOAD shim (fixed-ports.c, built with the system's C compiler).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer, type ConsumerRunConfig, type Producer, type RecordMetadata } from 'kafkajs';

export interface MockKafka {
  brokers: string[];
  /** The brokers' ports, for a new cluster at the same address. */
  ports: number[];
  /** SIGSTOP: the brokers accept nothing and answer nothing until resume(). */
  freeze(): void;
  resume(): void;
  stop(): Promise<void>;
}

let fixedPortsShim: Promise<string> | undefined;

function buildFixedPortsShim(): Promise<string> {
  fixedPortsShim ??= (async () => {
    const library = join(await mkdtemp(join(tmpdir(), 'algo-mock-kafka-')), 'fixed-ports.so');
    const source = fileURLToPath(new URL('fixed-ports.c', import.meta.url));
    await promisify(execFile)('cc', ['-shared', '-fPIC', '-O2', '-o', library, source, '-ldl']);
    return library;
  })();
  return fixedPortsShim;
}

export async function startMockKafka(brokerCount = 3, options: { ports?: number[] } = {}): Promise<MockKafka> {
  const env =
    options.ports === undefined
      ? process.env
      : { ...process.env, LD_PRELOAD: await buildFixedPortsShim(), FIXED_PORTS: options.ports.join(',') };
  const child: ChildProcess = spawn(
    'kcat',
    ['-b', 'localhost:1', '-X', `test.mock.num.brokers=${brokerCount}`, '-d', 'mock', '-C', '-t', 'algo.mock.keepalive', '-q'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    },
  );
  const brokers = await new Promise<string[]>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`kcat mock cluster did not start:\n${output}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /bootstrap\.servers=(\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1].split(','));
      }
    });
    child.once('exit', (code) => reject(new Error(`kcat exited with ${code}:\n${output}`)));
  });
  // MOCK_KAFKA_LOG=<file> keeps the mock's own log (-d mock): log appends with the log's start and
  // end, offsets committed and returned per group, group state changes.
  const logFile = process.env.MOCK_KAFKA_LOG;
  if (logFile !== undefined && logFile !== '') child.stderr?.pipe(createWriteStream(logFile));
  else child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    brokers,
    ports: brokers.map((broker) => Number(broker.slice(broker.lastIndexOf(':') + 1))),
    freeze: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Environment for an algo worker streaming `<name>.frames` → `<name>.detections` in group `<name>-group`. */
export function streamingEnv(brokers: string[], name: string): Record<string, string> {
  return {
    ALGO_ENABLE_KAFKA_STREAMING: 'true',
    ALGO_KAFKA_BROKERS: brokers.join(','),
    ALGO_KAFKA_INPUT_TOPIC: `${name}.frames`,
    ALGO_KAFKA_OUTPUT_TOPIC: `${name}.detections`,
    ALGO_KAFKA_DLQ_TOPIC: `${name}.frames.dlq`,
    ALGO_KAFKA_GROUP_ID: `${name}-group`,
    ALGO_KAFKA_LAG_INTERVAL_MS: '200',
  };
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'algo-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
}

export interface FrameToSend {
  key: string | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** Resolves once the broker acknowledged the frames, to where each went (partition, base offset). */
export async function produceFrames(producer: Producer, topic: string, frames: FrameToSend[]): Promise<RecordMetadata[]> {
  return producer.send({
    topic,
    acks: -1,
    messages: frames.map((frame) => ({ key: frame.key, value: frame.value, headers: frame.headers ?? {} })),
  });
}

export interface CollectedMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** performance.now() when the reader got it. */
  receivedAtMs: number;
}

/**
 * Reads every message of the given topics from the beginning, as it arrives (short fetch waits,
 * so arrival times are sharp). It outlives broker faults: after a crash kafkajs does not restart
 * from, it runs again.
 */
export async function collect(
  kafka: Kafka,
  topics: string[],
  groupId: string,
): Promise<{ messages: Map<string, CollectedMessage[]>; consumer: Consumer }> {
  const messages = new Map<string, CollectedMessage[]>(topics.map((topic) => [topic, []]));
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  const run: ConsumerRunConfig = {
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {}))
        if (value !== undefined) headers[name] = (Array.isArray(value) ? value[0] : value)?.toString() ?? '';
      messages.get(topic)?.push({
        key: message.key?.toString() ?? null,
        value: message.value,
        headers,
        partition,
        offset: message.offset,
        receivedAtMs: performance.now(),
      });
    },
  };
  let disconnecting = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart && !disconnecting) setTimeout(() => void consumer.run(run).catch(() => undefined), 1000);
  });
  const disconnect = consumer.disconnect.bind(consumer);
  consumer.disconnect = () => {
    disconnecting = true;
    return disconnect();
  };
  await consumer.run(run);
  return { messages, consumer };
}
