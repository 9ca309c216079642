import sharp from 'sharp';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
let t = performance.now();
const cvModule = require('@techstark/opencv-js');
const { cv } = await new Promise((resolve) => {
  if (typeof cvModule.Mat === 'function') return resolve({ cv: cvModule });
  cvModule.onRuntimeInitialized = () => resolve({ cv: cvModule });
});
console.log('ready ms', (performance.now() - t).toFixed(0), typeof cv.HOGDescriptor);
const hog = new cv.HOGDescriptor();
const det = cv.HOGDescriptor.getDefaultPeopleDetector();
const n = det.size ? det.size() : det.length;
console.log('detector', det.constructor?.name, n);
const svm = new cv.Mat(n, 1, cv.CV_32F);
for (let i = 0; i < n; i++) svm.data32F[i] = det.get ? det.get(i) : det[i];
hog.setSVMDetector(svm);
for (const f of ['person', 'kite', 'dog', 'horses']) {
const { data, info } = await sharp(`../shared/fixtures/images/${f}.jpg`).resize({ width: 640, height: 640, fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
for (const ch of [3, 4, 1]) {
  const src = cv.matFromArray(info.height, info.width, cv.CV_8UC3, data);
  let img = src;
  if (ch === 4) { img = new cv.Mat(); cv.cvtColor(src, img, cv.COLOR_RGB2RGBA); }
  if (ch === 1) { img = new cv.Mat(); cv.cvtColor(src, img, cv.COLOR_RGB2GRAY); }
  const found = new cv.RectVector(); const weights = new cv.DoubleVector();
  t = performance.now();
  try { hog.detectMultiScale(img, found, weights, 0, new cv.Size(8, 8), new cv.Size(8, 8), 1.05, 2, false); } catch (e) { console.log('err', ch, typeof e === 'number' ? cv.exceptionFromPtr(e).msg : String(e)); continue; }
  const out = []; for (let i = 0; i < found.size(); i++) { const r = found.get(i); out.push([r.x, r.y, r.width, r.height, weights.get(i)?.toFixed(2)]); }
  console.log(f, info.width, info.height, 'channels', ch, 'ms', (performance.now() - t).toFixed(0), JSON.stringify(out));
}}
