// Newest-frame-only, round-robin sharing of the detector between cameras.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameScheduler, type FrameSource } from '../../src/cameras/frame-scheduler.js';
import type { FrameOutcome } from '../../src/metrics/recorders/camera-metrics.js';

class Source implements FrameSource {
  readonly outcomes: FrameOutcome[] = [];
  offered = 0;
  constructor(readonly name: string) {}
  frameProcessed(outcome: FrameOutcome): void {
    this.outcomes.push(outcome);
  }
  count(outcome: FrameOutcome): number {
    return this.outcomes.filter((o) => o === outcome).length;
  }
}

/** A detector that finishes frames only when told to, recording the order it got them in. */
function gatedDetector() {
  const order: string[] = [];
  const gates: Array<() => void> = [];
  return {
    order,
    run: (source: Source, frame: number): Promise<FrameOutcome> => {
      order.push(`${source.name}:${frame}`);
      return new Promise((resolve) => gates.push(() => resolve('detected')));
    },
    async finishOne() {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
    get waiting() {
      return gates.length;
    },
  };
}

test('a frame replaced before the detector took it is dropped and counted; only the newest is detected', async () => {
  const detector = gatedDetector();
  const scheduler = new FrameScheduler<Source, number>(1, detector.run);
  const camera = new Source('a');
  scheduler.add(camera);
  for (let frame = 1; frame <= 5; frame++) scheduler.offer(camera, frame);
  // Frame 1 went straight to the detector; 2, 3, 4 were replaced while it ran.
  assert.deepEqual(detector.order, ['a:1']);
  assert.equal(camera.count('dropped'), 3);
  await detector.finishOne();
  assert.deepEqual(detector.order, ['a:1', 'a:5']);
  await detector.finishOne();
  assert.deepEqual(
    camera.outcomes.filter((o) => o !== 'dropped'),
    ['detected', 'detected'],
  );
  assert.equal(camera.outcomes.length, 5, 'every frame offered has exactly one outcome');
});

test('each dropped frame is handed back (for its buffer to be reused); detected and drained frames are not', async () => {
  const detector = gatedDetector();
  const discarded: number[] = [];
  const scheduler = new FrameScheduler<Source, number>(1, detector.run, (_, frame) => discarded.push(frame));
  const camera = new Source('a');
  scheduler.add(camera);
  for (let frame = 1; frame <= 5; frame++) scheduler.offer(camera, frame);
  assert.deepEqual(discarded, [2, 3, 4]);
  await detector.finishOne();
  scheduler.offer(camera, 6);
  const drained = scheduler.drain();
  await detector.finishOne();
  await drained;
  assert.deepEqual(discarded, [2, 3, 4], 'frame 6 was drained at shutdown, still the latest: not handed back');
});

test('cameras take turns: a camera sending 10x faster does not starve the others', async () => {
  const detector = gatedDetector();
  const scheduler = new FrameScheduler<Source, number>(1, detector.run);
  const [fast, slow1, slow2] = [new Source('fast'), new Source('slow1'), new Source('slow2')];
  for (const source of [fast, slow1, slow2]) scheduler.add(source);
  let frame = 0;
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 10; i++) scheduler.offer(fast, ++frame);
    scheduler.offer(slow1, ++frame);
    scheduler.offer(slow2, ++frame);
    await detector.finishOne();
  }
  const served = (name: string) => detector.order.filter((entry) => entry.startsWith(`${name}:`)).length;
  assert.ok(Math.abs(served('fast') - served('slow1')) <= 1, detector.order.join(' '));
  assert.ok(Math.abs(served('slow1') - served('slow2')) <= 1, detector.order.join(' '));
});

test('one frame per camera in flight even with spare capacity; drain drops what waits and waits for the rest', async () => {
  const detector = gatedDetector();
  const scheduler = new FrameScheduler<Source, number>(4, detector.run);
  const camera = new Source('a');
  scheduler.add(camera);
  scheduler.offer(camera, 1);
  scheduler.offer(camera, 2);
  assert.equal(detector.waiting, 1);
  let drained = false;
  const draining = scheduler.drain().then(() => (drained = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drained, false, 'drain waits for the frame in flight');
  await detector.finishOne();
  await draining;
  assert.deepEqual(camera.outcomes.sort(), ['detected', 'dropped']);
});

test('a processing error counts as failed and the camera keeps being served', async () => {
  let calls = 0;
  const scheduler = new FrameScheduler<Source, number>(1, async () => {
    if (++calls === 1) throw new Error('boom');
    return 'detected';
  });
  const camera = new Source('a');
  scheduler.add(camera);
  scheduler.offer(camera, 1);
  await new Promise((resolve) => setImmediate(resolve));
  scheduler.offer(camera, 2);
  await scheduler.drain();
  assert.deepEqual(camera.outcomes, ['failed', 'detected']);
});
