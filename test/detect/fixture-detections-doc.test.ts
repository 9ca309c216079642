// docs/detection.md's table of what the built-in detector returns on the fixture photos is
// generated (npm run docs:detections); this keeps the committed table equal to what algo does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { DOC_PATH, END, START, fixtureDetectionsSection } from '../../scripts/fixture-detections.js';

test('docs/detection.md reports what the built-in detector returns on each fixture photo (regenerate with npm run docs:detections)', async () => {
  const doc = await readFile(DOC_PATH, 'utf8');
  const committed = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
  assert.equal(committed, await fixtureDetectionsSection());
});
