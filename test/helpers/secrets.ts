// Asserts that no API key, nor any 8-character piece of one, appears in a text.
import assert from 'node:assert/strict';

export function assertNoKeyText(text: string, keys: readonly string[], where: string): void {
  for (const key of keys) {
    for (let i = 0; i + 8 <= key.length; i += 4) {
      assert.ok(!text.includes(key.slice(i, i + 8)), `${where} contains part of an API key (${JSON.stringify(key.slice(i, i + 8)).length} chars at ${i})`);
    }
  }
}
