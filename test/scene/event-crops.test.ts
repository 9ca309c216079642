// Event crops cut from the frame an event was found in: the box's pixels (through the letterbox
// of a camera frame, or the EXIF orientation of a pushed image), bounded in size and number,
// reused for a track that ended, and never a failure that reaches the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { letterboxGeometry, PAD_VALUE } from '../../src/detect/letterbox.js';
import type { CropOutcome } from '../../src/metrics/recorders/scene-metrics.js';
import { CROP_SIDE, cropRegion, EventCrops, type FramePicture } from '../../src/scene/event-crops.js';

const RED = [220, 30, 30];
const GREY = [100, 100, 100];

function recorder(): { outcomes: CropOutcome[]; record: (outcome: CropOutcome) => void } {
  const outcomes: CropOutcome[] = [];
  return { outcomes, record: (outcome) => outcomes.push(outcome) };
}

/** Mean RGB of a JPEG and its size. */
async function meanOf(jpeg: Buffer): Promise<{ mean: number[]; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const sums = [0, 0, 0] as [number, number, number];
  for (let i = 0; i < data.length; i += info.channels) for (let c = 0; c < 3; c++) sums[c as 0 | 1 | 2] += data[i + c]!;
  const n = data.length / info.channels;
  return { mean: sums.map((sum) => sum / n), width: info.width, height: info.height };
}

const near = (actual: number[], expected: number[], tolerance = 25): boolean =>
  actual.every((value, c) => Math.abs(value - expected[c]!) <= tolerance);

/**
 * A 1280×720 camera picture, grey with a red box at (600, 200) 120×300, letterboxed into
 * 640×640 RGB the way ffmpeg delivers it (grey 114 padding).
 */
function letterboxedFrame(): {
  picture: Extract<FramePicture, { kind: 'letterboxed' }>;
  box: { x: number; y: number; width: number; height: number };
} {
  const box = { x: 600, y: 200, width: 120, height: 300 };
  const g = letterboxGeometry(1280, 720, 640, 640);
  const pixels = new Uint8Array(640 * 640 * 3).fill(PAD_VALUE);
  for (let y = 0; y < g.resizedHeight; y++) {
    for (let x = 0; x < g.resizedWidth; x++) {
      const sx = x / g.scale;
      const sy = y / g.scale;
      const inside = sx >= box.x && sx < box.x + box.width && sy >= box.y && sy < box.y + box.height;
      pixels.set(inside ? RED : GREY, ((y + g.padTop) * 640 + x + g.padLeft) * 3);
    }
  }
  return { picture: { kind: 'letterboxed', pixels, width: 640, height: 640 }, box };
}

test('a camera frame event crop is the box with its margin, cut through the letterbox, and survives the buffer being refilled', async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record });
  const { picture, box } = letterboxedFrame();
  crops.capture('door', [{ eventId: '1', trackId: 7, box }], picture, { width: 1280, height: 720 });
  picture.pixels.fill(0); // the pool hands the buffer to the next frame
  const jpeg = await crops.get('1');
  assert.ok(jpeg !== undefined);
  const { mean, width, height } = await meanOf(jpeg);
  // 10 % margin on each side: the box is 1/1.2 of each side, so the crop is mostly red with a grey rim, never black.
  assert.ok(mean[0]! > 150 && mean[1]! < 90, `mean ${mean.map(Math.round).join(',')}`);
  // The box is 144×360 with its margin in camera pixels, 72×180 at the detector's half scale, fitted into 160 px.
  assert.equal(height, CROP_SIDE);
  assert.ok(Math.abs(width - 64) <= 1, `width ${width}`);
  assert.deepEqual(outcomes, ['stored']);
});

test('a pushed image event crop is cut after its EXIF orientation, as the boxes are given', async () => {
  // Stored 300 wide × 200 high with orientation 6 (rotate 90° clockwise to view): viewed 200 × 300.
  // Stored pixels: red in the left third. Viewed: red in the top third.
  const stored = Buffer.alloc(300 * 200 * 3);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) stored.set(x < 100 ? RED : GREY, (y * 300 + x) * 3);
  const image = await sharp(stored, { raw: { width: 300, height: 200, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record: () => undefined });
  const source = { width: 200, height: 300 };
  crops.capture(
    'lobby',
    [{ eventId: 'top', trackId: 1, box: { x: 20, y: 10, width: 160, height: 70 } }],
    { kind: 'encoded', image },
    source,
  );
  crops.capture(
    'lobby',
    [{ eventId: 'bottom', trackId: 2, box: { x: 20, y: 200, width: 160, height: 80 } }],
    { kind: 'encoded', image },
    source,
  );
  assert.ok(near((await meanOf((await crops.get('top'))!)).mean, RED, 40), 'the top of the viewed picture is red');
  assert.ok(near((await meanOf((await crops.get('bottom'))!)).mean, GREY), 'its bottom is grey');
});

test('a large box is scaled to the crop side; a box outside the picture gets no crop', async () => {
  const image = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 10, g: 200, b: 10 } } })
    .jpeg()
    .toBuffer();
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record });
  const source = { width: 2000, height: 1000 };
  crops.capture(
    'yard',
    [
      { eventId: 'big', trackId: 1, box: { x: 100, y: 100, width: 1600, height: 800 } },
      { eventId: 'outside', trackId: 2, box: { x: 2100, y: 50, width: 100, height: 100 } },
    ],
    { kind: 'encoded', image },
    source,
  );
  const big = await meanOf((await crops.get('big'))!);
  assert.equal(Math.max(big.width, big.height), CROP_SIDE);
  assert.equal(await crops.get('outside'), undefined);
  assert.deepEqual(outcomes, ['stored']);
  assert.equal(cropRegion({ x: -50, y: -50, width: 40, height: 40 }, 100, 100), undefined);
  assert.deepEqual(cropRegion({ x: -5, y: 90, width: 20, height: 20 }, 100, 100), { left: 0, top: 88, width: 17, height: 12 });
});

test("an event whose track was not in the frame reuses that track's newest crop, or has none", async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record });
  const { picture, box } = letterboxedFrame();
  const source = { width: 1280, height: 720 };
  crops.capture('door', [{ eventId: '10', trackId: 3, box }], picture, source);
  crops.capture('door', [{ eventId: '11', trackId: 4, box }], picture, source);
  crops.capture('door', [{ eventId: '12', trackId: 3, box: undefined }], picture, source);
  crops.capture('door', [{ eventId: '13', trackId: 99, box: undefined }], picture, source);
  crops.capture('hall', [{ eventId: '14', trackId: 4, box: undefined }], picture, source);
  assert.ok((await crops.get('11')) !== undefined);
  assert.equal(await crops.get('12'), await crops.get('10'));
  assert.equal(await crops.get('13'), undefined, 'no crop of that track');
  assert.equal(await crops.get('14'), undefined, 'a track of another camera is another track');
  assert.deepEqual(outcomes.sort(), ['reused', 'stored', 'stored']);
});

test('each camera holds its newest crops only, and one busy camera does not push out another', async () => {
  const crops = new EventCrops({ perCamera: 2, maxPending: 8, record: () => undefined });
  const { picture, box } = letterboxedFrame();
  const source = { width: 1280, height: 720 };
  crops.capture('quiet', [{ eventId: '1', trackId: 1, box }], picture, source);
  for (let n = 2; n <= 6; n++) crops.capture('busy', [{ eventId: String(n), trackId: n, box }], picture, source);
  assert.ok((await crops.get('1')) !== undefined);
  assert.deepEqual(await Promise.all(['2', '3', '4', '5', '6'].map(async (id) => (await crops.get(id)) !== undefined)), [
    false,
    false,
    false,
    true,
    true,
  ]);
});

test('beyond maxPending crops being encoded, an event gets none and it is counted', async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 1, record });
  const { picture, box } = letterboxedFrame();
  const source = { width: 1280, height: 720 };
  crops.capture(
    'door',
    [
      { eventId: '1', trackId: 1, box },
      { eventId: '2', trackId: 2, box },
    ],
    picture,
    source,
  );
  assert.ok((await crops.get('1')) !== undefined);
  assert.equal(await crops.get('2'), undefined);
  crops.capture('door', [{ eventId: '3', trackId: 3, box }], picture, source);
  assert.ok((await crops.get('3')) !== undefined, 'free again once the first is encoded');
  assert.deepEqual(outcomes, ['skipped', 'stored', 'stored']);
});

test('an image that cannot be decoded gives no crop and a failed count, never an error', async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record });
  const good = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  const truncated = good.subarray(0, good.length >> 1);
  crops.capture(
    'lobby',
    [{ eventId: '1', trackId: 1, box: { x: 4, y: 4, width: 40, height: 40 } }],
    { kind: 'encoded', image: truncated },
    {
      width: 64,
      height: 64,
    },
  );
  assert.equal(await crops.get('1'), undefined);
  assert.equal(await crops.get('never'), undefined);
  assert.deepEqual(outcomes, ['failed']);
});

test('events of one track in one frame share one crop; a camera gone down carries each ended track its newest crop', async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 4, record });
  const { picture, box } = letterboxedFrame();
  crops.capture(
    'door',
    [
      { eventId: '1', trackId: 5, box },
      { eventId: '2', trackId: 5, box },
    ],
    picture,
    { width: 1280, height: 720 },
  );
  const first = await crops.get('1');
  assert.ok(first !== undefined);
  assert.equal(await crops.get('2'), first, 'entered and crossed at once: one crop');
  crops.carry('door', [
    { eventId: '3', trackId: 5 },
    { eventId: '4', trackId: 6 },
  ]);
  assert.equal(await crops.get('3'), first);
  assert.equal(await crops.get('4'), undefined, 'a track with no crop carries none');
  assert.deepEqual(outcomes.sort(), ['reused', 'reused', 'stored']);
});

test('every event left without a crop by the encode bound is counted, also one sharing its track with another', async () => {
  const { outcomes, record } = recorder();
  const crops = new EventCrops({ perCamera: 8, maxPending: 1, record });
  const { picture, box } = letterboxedFrame();
  crops.capture(
    'door',
    [
      { eventId: '1', trackId: 1, box },
      { eventId: '2', trackId: 2, box },
      { eventId: '3', trackId: 2, box },
    ],
    picture,
    { width: 1280, height: 720 },
  );
  assert.ok((await crops.get('1')) !== undefined);
  assert.equal(await crops.get('3'), undefined);
  assert.deepEqual(outcomes, ['skipped', 'skipped', 'stored']);
});
