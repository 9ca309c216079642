// A camera's frame as JPEG for GET /api/v1/cameras/:id/snapshot.jpg. Detection frames are
// the letterboxed RGB ffmpeg delivered: the padding is cut away, so the picture is the
// camera's view at the detector's resolution. With a result, its boxes (labels, scores) and
// person groups are drawn from an SVG overlay composited by sharp, with each object's track id
// and the camera's zones and lines (their names) when it is tracked.
import sharp, { type Sharp } from 'sharp';
import type { DetectionResponse } from '../detect/types.js';
import { letterboxGeometry } from '../detect/letterbox.js';
import type { CameraFrame } from './camera.js';

export type SnapshotFrame = CameraFrame & { format: 'rgb' | 'jpeg' };

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Zones and lines to draw, in frame fractions. */
export interface SnapshotScene {
  zones: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]> }>;
  lines: ReadonlyArray<{ name: string; from: readonly [number, number]; to: readonly [number, number] }>;
}

const PALETTE = ['#ff3b30', '#34c759', '#0a84ff', '#ff9f0a', '#bf5af2', '#64d2ff', '#ffd60a'];

function sceneShapes(scene: SnapshotScene, width: number, height: number, stroke: number, font: number): string[] {
  const at = (point: readonly [number, number]): string => `${(point[0] * width).toFixed(1)},${(point[1] * height).toFixed(1)}`;
  const text = (point: readonly [number, number], name: string, colour: string): string =>
    `<text x="${(point[0] * width + 4).toFixed(1)}" y="${(point[1] * height + font).toFixed(1)}" fill="${colour}" stroke="#000000" stroke-width="0.6" font-size="${font}" font-family="sans-serif">${escapeXml(name)}</text>`;
  const shapes: string[] = [];
  for (const zone of scene.zones) {
    shapes.push(
      `<polygon points="${zone.points.map(at).join(' ')}" fill="#ffd60a" fill-opacity="0.12" stroke="#ffd60a" stroke-width="${stroke}"/>`,
    );
    if (zone.points[0] !== undefined) shapes.push(text(zone.points[0], zone.name, '#ffd60a'));
  }
  for (const line of scene.lines) {
    const [x1, y1] = at(line.from).split(',');
    const [x2, y2] = at(line.to).split(',');
    shapes.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#64d2ff" stroke-width="${stroke * 2}"/>`);
    shapes.push(text(line.from, line.name, '#64d2ff'));
  }
  return shapes;
}

function overlay(result: DetectionResponse, scale: number, width: number, height: number, scene: SnapshotScene | undefined): Buffer {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(11, Math.round(Math.min(width, height) / 30));
  const shapes: string[] = scene === undefined ? [] : sceneShapes(scene, width, height, stroke, font);
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
    const track = 'track_id' in object && typeof object.track_id === 'number' ? ` #${object.track_id}` : '';
    const label = escapeXml(`${object.label}${track} ${Math.round(object.score * 100)}%`);
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
  scene?: SnapshotScene,
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
  if (result !== undefined) image = image.composite([{ input: overlay(result, scale, size.width, size.height, scene), top: 0, left: 0 }]);
  return image.jpeg({ quality: 85 }).toBuffer();
}
