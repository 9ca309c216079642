// ALGO_LLM_BASE_URL mistakes named instead of failing every call with a bare 404.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notFoundAdvice, withoutPastedEndpoint } from '../../src/llm/base-url.js';

test('a pasted /chat/completions is taken off the base URL, whatever its case or trailing slash', () => {
  for (const pasted of ['https://api.x.com/v1/chat/completions', 'https://api.x.com/v1/Chat/Completions/']) {
    const { baseUrl, pasted: was } = withoutPastedEndpoint(new URL(pasted));
    assert.equal(baseUrl.href, 'https://api.x.com/v1');
    assert.equal(was, true);
  }
  assert.deepEqual(withoutPastedEndpoint(new URL('https://api.x.com/v1')).pasted, false);
});

test('a 404 names the URL tried and the likely fix: the API version, the base URL, or the model', () => {
  const advice = (base: string, model?: string) => notFoundAdvice(`${base}/chat/completions`, new URL(base), 404, model);
  assert.equal(
    advice('http://llm.local:11434'),
    'LLM API answered 404 at http://llm.local:11434/chat/completions; likely fix: ALGO_LLM_BASE_URL (http://llm.local:11434) probably lacks the API version: try http://llm.local:11434/v1',
  );
  assert.match(
    advice('https://api.x.com/v1'),
    /ALGO_LLM_BASE_URL \(https:\/\/api\.x\.com\/v1\) must be the part before \/chat\/completions/,
  );
  assert.match(advice('https://api.x.com/v1', 'gpt-nope'), /the API does not know the model "gpt-nope": check ALGO_LLM_MODEL/);
});
