// A camera's frame as JPEG for GET /api/v1/cameras/:id/snapshot.jpg. Detection frames are
// the letterboxed RGB ffmpeg delivered: the padding is cut away, so the picture is the
// camera's view at the detector's resolution. With a result, its boxes (labels, scores) and
// person groups are drawn from an SVG overlay composited by sharp.
import sharp, { type Sharp } from 'sharp';
import type { DetectionResponse } from '../detect/types.js';
import { letterboxGeometry } from '../detect/letterbox.js';
import type { CameraFrame } from './camera.js';

export type SnapshotFrame = CameraFrame & { format: 'rgb' | 'jpeg' };

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const PALETTE = ['#ff3b30', '#34c759', '#0a84ff', '#ff9f0a', '#bf5af2', '#64d2ff', '#ffd60a'];

function overlay(result: DetectionResponse, scale: number, width: number, height: number): Buffer {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(11, Math.round(Math.min(width, height) / 30));
  const shapes: string[] = [];
  const rect = (box: { x: number; y: number; width: number; height: number }): string =>
    `x="${(box.x * scale).toFixed(1)}" y="${(box.y * scale).toFixed(1)}" width="${(box.width * scale).toFixed(1)}" height="${(box.height * scale).toFixed(1)}"`;
  for (const group of result.groups) {
    shapes.push(
      `<rect ${rect(group.box)} fill="none" stroke="#ffffff" stroke-width="${stroke}" stroke-dasharray="${stroke * 3},${stroke * 2}"/>`,
    );
    shapes.push(
      `<text x="${(group.box.x * scale).toFixed(1)}" y="${(group.box.y * scale + group.box.height * scale + font).toFixed(1)}" fill="#ffffff" font-size="${font}" font-family="sans-serif">group ${group.id}: ${group.size} people</text>`,
    );
  }
  for (const object of result.objects) {
    const colour = PALETTE[object.class_id % PALETTE.length]!;
    const x = object.box.x * scale;
    const y = object.box.y * scale;
    const label = escapeXml(`${object.label} ${Math.round(object.score * 100)}%`);
    shapes.push(`<rect ${rect(object.box)} fill="none" stroke="${colour}" stroke-width="${stroke}"/>`);
    shapes.push(
      `<rect x="${x.toFixed(1)}" y="${Math.max(0, y - font - 4).toFixed(1)}" width="${(label.length * font * 0.6 + 6).toFixed(1)}" height="${font + 4}" fill="${colour}"/>`,
    );
    shapes.push(
      `<text x="${(x + 3).toFixed(1)}" y="${Math.max(font, y - 4).toFixed(1)}" fill="#000000" font-size="${font}" font-family="sans-serif">${label}</text>`,
    );
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
}

/** JPEG of the frame; `input` is the detector's input size the RGB frame was letterboxed to. */
export async function snapshotJpeg(
  frame: SnapshotFrame,
  input: { width: number; height: number },
  result?: DetectionResponse,
): Promise<Buffer> {
  let image: Sharp;
  let scale = 1;
  let size: { width: number; height: number };
  if (frame.format === 'jpeg') {
    image = sharp(frame.data);
    const meta = await image.metadata();
    size = { width: meta.width ?? 1, height: meta.height ?? 1 };
    scale = frame.sourceWidth === undefined ? 1 : size.width / frame.sourceWidth;
  } else {
    const geometry = letterboxGeometry(frame.sourceWidth ?? input.width, frame.sourceHeight ?? input.height, input.width, input.height);
    scale = geometry.scale;
    size = { width: geometry.resizedWidth, height: geometry.resizedHeight };
    image = sharp(frame.data, { raw: { width: input.width, height: input.height, channels: 3 } }).extract({
      left: geometry.padLeft,
      top: geometry.padTop,
      ...size,
    });
    // extract then composite needs the extracted pixels materialised first.
    if (result !== undefined) image = sharp(await image.png({ compressionLevel: 0 }).toBuffer());
  }
  if (result !== undefined) image = image.composite([{ input: overlay(result, scale, size.width, size.height), top: 0, left: 0 }]);
  return image.jpeg({ quality: 85 }).toBuffer();
}
