// ffmpeg's scale+pad filter puts the picture exactly where letterboxGeometry says, so boxes
// from camera frames map back to camera pixels like those from decoded images.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { letterboxFilter } from '../../src/cameras/ffmpeg-args.js';
import { letterboxGeometry, PAD_VALUE } from '../../src/detect/letterbox.js';
import { writeTempFile } from '../helpers/models.js';

const run = promisify(execFile);

async function letterboxedByFfmpeg(width: number, height: number, inputWidth: number, inputHeight: number): Promise<Buffer> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 250, g: 10, b: 10 } } })
    .png()
    .toBuffer();
  const file = await writeTempFile('frame.png', png);
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      file,
      '-vf',
      letterboxFilter(inputWidth, inputHeight),
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    },
  );
  return stdout;
}

for (const [width, height, inputWidth, inputHeight] of [
  [301, 199, 320, 320],
  [199, 301, 320, 320],
  [1280, 720, 512, 512],
  [640, 480, 640, 640],
  [333, 333, 512, 384],
] as const) {
  test(`${width}x${height} into ${inputWidth}x${inputHeight}: picture and gray padding where letterboxGeometry puts them`, async () => {
    const pixels = await letterboxedByFfmpeg(width, height, inputWidth, inputHeight);
    assert.equal(pixels.length, inputWidth * inputHeight * 3);
    const g = letterboxGeometry(width, height, inputWidth, inputHeight);
    const red = (x: number, y: number): number => pixels[(y * inputWidth + x) * 3]!;
    const inside = (x: number, y: number): boolean =>
      x >= g.padLeft && x < g.padLeft + g.resizedWidth && y >= g.padTop && y < g.padTop + g.resizedHeight;
    for (let y = 0; y < inputHeight; y++) {
      for (let x = 0; x < inputWidth; x++) {
        const value = red(x, y);
        if (inside(x, y)) assert.ok(value > 200, `(${x},${y}) is picture, red=${value}`);
        else assert.equal(value, PAD_VALUE, `(${x},${y}) is padding`);
      }
    }
  });
}
