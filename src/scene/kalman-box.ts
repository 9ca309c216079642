// Constant-velocity Kalman filter on a bounding box, in continuous time.
//
// State and noise follow ByteTrack's kalman_filter.py (itself DeepSORT's, Wojke et al. 2017):
// the state is (cx, cy, a, h) — centre x and y in pixels, aspect a = width / height, height h
// in pixels — and their velocities; the measurement is (cx, cy, a, h); noise standard
// deviations are proportional to the height (the box's own size), the aspect's are absolute.
// With F, H, Q and R of that form the 8×8 covariance never couples two coordinates, so the
// filter is run exactly as four independent 2-state filters (position, velocity), 20 numbers
// a box, no matrix algebra.
//
// Unlike ByteTrack (one step per frame at 30 fps) every predict takes dt in seconds: F = [1 dt;
// 0 1] and the process noise grows linearly with dt (random-walk discretisation, Q = diag(σp²,
// σv²)·dt), so the filter works at algo's 2 fps and with irregular frame intervals. The noise
// levels below are per second and were chosen for people and vehicles seen at 1-10 fps: a
// velocity may change by about half a box height per second per √s.
import type { Box } from '../detect/types.js';

/** Measurement noise σ as a fraction of the box height (ByteTrack's std_weight_position, 1/20). */
const MEASURE_POSITION = 1 / 20;
/** Measurement noise σ of the aspect (ByteTrack: 1e-1). */
const MEASURE_ASPECT = 0.1;
/** Initial σ of position (height units) and velocity (height units per second). */
const INITIAL_POSITION = 2 * MEASURE_POSITION;
const INITIAL_VELOCITY = 1;
/** Process noise σ per √s: position, velocity (height units), aspect, aspect velocity. */
const PROCESS_POSITION = 1 / 20;
const PROCESS_VELOCITY = 0.5;
const PROCESS_ASPECT = 0.05;
const PROCESS_ASPECT_VELOCITY = 0.01;
/** Heights and aspects never predicted below this (a shrinking box must stay a box). */
const MIN_SIZE = 1e-3;

// Layout of one coordinate's filter in the state array: value, velocity, P00, P01, P11.
const STRIDE = 5;
const CX = 0;
const CY = 5;
const A = 10;
const H = 15;

export class KalmanBox {
  /** Four 2-state filters (cx, cy, a, h) of STRIDE numbers each. */
  private readonly s = new Float64Array(4 * STRIDE);

  /** Starts at the box with zero velocity (ByteTrack's initiate). */
  initiate(box: Box): void {
    const h = Math.max(box.height, MIN_SIZE);
    const position = (INITIAL_POSITION * h) ** 2;
    const velocity = (INITIAL_VELOCITY * h) ** 2;
    this.set(CX, box.x + box.width / 2, position, velocity);
    this.set(CY, box.y + box.height / 2, position, velocity);
    this.set(A, Math.max(box.width, MIN_SIZE) / h, 1e-4, 1e-10);
    this.set(H, h, position, velocity);
  }

  /**
   * Advances dt seconds (dt ≥ 0). `holdSize` zeroes the height's velocity first, as ByteTrack
   * does for a track that was not seen in the last frame, so a lost box does not grow or shrink.
   */
  predict(dt: number, holdSize: boolean): void {
    if (holdSize) this.s[H + 1] = 0;
    if (dt <= 0) return;
    const h = this.s[H]!;
    const qp = (PROCESS_POSITION * h) ** 2 * dt;
    const qv = (PROCESS_VELOCITY * h) ** 2 * dt;
    this.advance(CX, dt, qp, qv);
    this.advance(CY, dt, qp, qv);
    this.advance(A, dt, PROCESS_ASPECT ** 2 * dt, PROCESS_ASPECT_VELOCITY ** 2 * dt);
    this.advance(H, dt, qp, qv);
    if (this.s[H]! < MIN_SIZE) this.s[H] = MIN_SIZE;
    if (this.s[A]! < MIN_SIZE) this.s[A] = MIN_SIZE;
  }

  /** Corrects with a measured box (pixels). */
  update(box: Box): void {
    const h = this.s[H]!;
    const r = (MEASURE_POSITION * h) ** 2;
    this.correct(CX, box.x + box.width / 2, r);
    this.correct(CY, box.y + box.height / 2, r);
    this.correct(A, Math.max(box.width, MIN_SIZE) / Math.max(box.height, MIN_SIZE), MEASURE_ASPECT ** 2);
    this.correct(H, Math.max(box.height, MIN_SIZE), r);
  }

  get centerX(): number {
    return this.s[CX]!;
  }
  get centerY(): number {
    return this.s[CY]!;
  }
  get height(): number {
    return this.s[H]!;
  }
  get width(): number {
    return this.s[A]! * this.s[H]!;
  }

  /** Writes the current estimate into `out` (pixels), allocation-free. */
  writeBox(out: Box): void {
    const height = this.height;
    const width = this.width;
    out.x = this.centerX - width / 2;
    out.y = this.centerY - height / 2;
    out.width = width;
    out.height = height;
  }

  private set(at: number, value: number, p00: number, p11: number): void {
    const s = this.s;
    s[at] = value;
    s[at + 1] = 0;
    s[at + 2] = p00;
    s[at + 3] = 0;
    s[at + 4] = p11;
  }

  private advance(at: number, dt: number, qp: number, qv: number): void {
    const s = this.s;
    const p01 = s[at + 3]!;
    const p11 = s[at + 4]!;
    s[at] = s[at]! + s[at + 1]! * dt;
    s[at + 2] = s[at + 2]! + 2 * dt * p01 + dt * dt * p11 + qp;
    s[at + 3] = p01 + dt * p11;
    s[at + 4] = p11 + qv;
  }

  private correct(at: number, measured: number, r: number): void {
    const s = this.s;
    const p00 = s[at + 2]!;
    const p01 = s[at + 3]!;
    const innovation = measured - s[at]!;
    const k0 = p00 / (p00 + r);
    const k1 = p01 / (p00 + r);
    s[at] = s[at]! + k0 * innovation;
    s[at + 1] = s[at + 1]! + k1 * innovation;
    s[at + 2] = (1 - k0) * p00;
    s[at + 3] = (1 - k0) * p01;
    s[at + 4] = s[at + 4]! - k1 * p01;
  }
}
