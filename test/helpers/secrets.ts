// Asserts that no API key, nor any 8-character piece of one, appears in a text.
import assert from 'node:assert/strict';

export function assertNoKeyText(text: string, keys: readonly string[], where: string): void {
  for (const key of keys) {
    for (let i = 0; i + 8 <= key.length; i += 4) {
      const at = text.indexOf(key.slice(i, i + 8));
      // The context shown is redacted so a failure does not print the key either.
      assert.ok(
        at < 0,
        `${where} contains part of an API key (at offset ${i} of the key), near: ${JSON.stringify(text.slice(Math.max(0, at - 60), at))}…`,
      );
    }
  }
}
