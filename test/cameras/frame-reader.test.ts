// Cutting ffmpeg's stdout into frames, whatever the chunking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { FramePool } from '../../src/cameras/frame-pool.js';
import { jpegFrameReader, rawFrameReader } from '../../src/cameras/frame-reader.js';

function chunked(buffer: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < buffer.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(buffer.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

test('raw frames are cut at the frame size across any chunk boundaries, each in its own buffer', () => {
  const frameBytes = 12;
  const stream = Buffer.from(Array.from({ length: frameBytes * 3 }, (_, i) => i));
  const frames: Buffer[] = [];
  const reader = rawFrameReader(frameBytes, (frame) => frames.push(frame));
  for (const chunk of chunked(stream, [5, 1, 17, 3])) reader.push(chunk);
  assert.deepEqual(frames, [stream.subarray(0, 12), stream.subarray(12, 24), stream.subarray(24, 36)]);
  assert.ok(
    frames.every((frame) => frame.byteOffset === 0 && frame.buffer.byteLength === frameBytes),
    'transferable without a copy',
  );
});

test('raw frames reuse shared-memory buffers given back to the pool instead of allocating new ones; foreign buffers are refused', () => {
  const frameBytes = 12;
  const pool = new FramePool(frameBytes);
  const frames: Buffer[] = [];
  const reader = rawFrameReader(frameBytes, (frame) => frames.push(frame), pool);
  reader.push(Buffer.alloc(frameBytes, 1));
  const first = frames[0]!;
  pool.give(first);
  reader.push(Buffer.alloc(frameBytes, 2)); // completes the frame filling the buffer taken before `first` came back
  reader.push(Buffer.alloc(frameBytes, 3));
  assert.equal(frames[2], first, 'the returned buffer is filled with a later frame');
  assert.deepEqual([...frames[2]!], Array(frameBytes).fill(3));
  // Shared memory: a detector worker reads the frame where it lies, without a copy.
  assert.ok(first.buffer instanceof SharedArrayBuffer);
  pool.give(Buffer.alloc(frameBytes * 2).subarray(0, frameBytes));
  pool.give(Buffer.alloc(frameBytes));
  const fresh = pool.take();
  assert.equal(fresh.length, frameBytes);
  assert.equal(fresh.buffer.byteLength, frameBytes);
  assert.ok(fresh.buffer instanceof SharedArrayBuffer, 'a foreign buffer is not handed out');
});

test('JPEG frames are cut at each end-of-image marker, also when it straddles two chunks', async () => {
  const jpegs = await Promise.all(
    [10, 120, 240].map((red) =>
      sharp({ create: { width: 16, height: 8, channels: 3, background: { r: red, g: 0, b: 0 } } })
        .jpeg()
        .toBuffer(),
    ),
  );
  const stream = Buffer.concat(jpegs);
  for (const sizes of [[1], [7, 3], [stream.length], [jpegs[0]!.length - 1, 2]]) {
    const frames: Buffer[] = [];
    const reader = jpegFrameReader(
      1 << 20,
      (frame) => frames.push(frame),
      () => assert.fail('oversize'),
    );
    for (const chunk of chunked(stream, sizes)) reader.push(chunk);
    assert.deepEqual(frames, jpegs, `chunks of ${sizes.join(',')}`);
  }
});

test('a JPEG frame larger than the limit is reported and discarded', () => {
  let oversize = 0;
  const frames: Buffer[] = [];
  const reader = jpegFrameReader(
    100,
    (frame) => frames.push(frame),
    () => oversize++,
  );
  reader.push(Buffer.alloc(150, 1));
  reader.push(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  assert.equal(oversize, 1);
  assert.deepEqual(frames, [Buffer.from([0xff, 0xd8, 0xff, 0xd9])]);
});
