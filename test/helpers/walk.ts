// The walk scene of the scene tests: a video made with ffmpeg of the fixture person walking
// left to right across a grey frame, a zone and a line across the path, and what one pass
// must give.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturePath } from './images.js';

const run = promisify(execFile);

/** Line across the middle, zone around it: the walk enters, crosses, leaves. */
export const SCENE = {
  track: { labels: ['person'], min_hits: 2, track_buffer_s: 3 },
  zones: [
    {
      name: 'middle',
      points: [
        [0.3, 0],
        [0.7, 0],
        [0.7, 1],
        [0.3, 1],
      ],
      labels: ['person'],
    },
  ],
  lines: [{ name: 'door', from: [0.5, 0], to: [0.5, 1], in: 'left_to_right' }],
};
export const SECONDS = 8;

export interface ApiEvent {
  id: string;
  type: string;
  camera_id: string;
  track_id: number;
  zone?: string;
  line?: string;
  direction?: string;
  dwell_s?: number;
  at: string;
}

export interface TrackedAnswer {
  objects: Array<{ label: string; track_id: number | null }>;
}

/** An 8 s walk (10 fps) of the fixture person over 640×360 grey, and its frames at 2 fps as JPEG. */
export async function makeWalk(): Promise<{ video: string; frames: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'algo-walk-'));
  const video = join(dir, 'walk.mp4');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=0x808080:s=640x360:r=10:d=${SECONDS}`],
    ...['-loop', '1', '-i', fixturePath('person')],
    ...['-filter_complex', "[1:v]crop=120:220:140:22[p];[0:v][p]overlay=x='-60+t*85':y=100:shortest=1,format=yuv420p"],
    ...['-c:v', 'mpeg4', '-q:v', '3', video],
  ]);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-vf', 'fps=2', join(dir, 'frame-%02d.jpg')]);
  const frames = (await readdir(dir))
    .filter((name) => name.startsWith('frame-'))
    .sort()
    .map((name) => join(dir, name));
  return { video, frames };
}

/** The events of one pass: the first `left` and everything of its track. */
export function pass(events: readonly ApiEvent[]): ApiEvent[] | undefined {
  const left = events.find((event) => event.type === 'left');
  return left === undefined ? undefined : events.filter((event) => event.track_id === left.track_id);
}

/** `dwell` bounds the `left` event's dwell_s. */
export function assertOnePass(events: readonly ApiEvent[], dwell: [number, number]): void {
  const types = events.map((event) => `${event.type}${event.direction === undefined ? '' : `:${event.direction}`}`);
  assert.deepEqual(types, ['entered', 'crossed:in', 'left'], JSON.stringify(events));
  const seconds = events[2]!.dwell_s!;
  assert.ok(seconds >= dwell[0] && seconds <= dwell[1], `dwell ${seconds} s`);
  assert.ok(events.every((event) => !Number.isNaN(Date.parse(event.at))));
}

/**
 * The walk served as an MJPEG stream over HTTP by ffmpeg itself (`-f mpjpeg -listen 1`), at
 * its own pace, to the first client that connects: a real MJPEG camera for one pass.
 */
export function serveWalkMjpeg(video: string, port: number): { url: string; stop(): void } {
  const url = `http://127.0.0.1:${port}/walk.mjpg`;
  const child = spawn(
    'ffmpeg',
    [...['-hide_banner', '-loglevel', 'error', '-re', '-i', video], ...['-c:v', 'mjpeg', '-q:v', '4', '-f', 'mpjpeg', '-listen', '1', url]],
    { stdio: 'ignore' },
  );
  // No probe: ffmpeg serves only its first client. algo's reader retries until ffmpeg listens.
  return { url, stop: () => child.kill('SIGKILL') };
}
