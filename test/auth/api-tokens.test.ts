import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseTokenFile, parseTokenList, tokenDigest } from '../../src/auth/api-tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';
import { assertNoKeyText } from '../helpers/secrets.js';

const CAMERA_TOKEN = 'camera-token-7d1e0c9b5a3f2e8d';
const ADMIN_TOKEN = 'admin-token-4b8f2a6c0e9d1f3a';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('API token lists', () => {
  test('name:scope+scope=token entries keep names, scopes and the SHA-256 only', () => {
    const parsed = parseTokenList(`camera:detect=${CAMERA_TOKEN}, ops:read+admin+metrics=${ADMIN_TOKEN}`);
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.tokens.map((token) => [token.name, [...token.scopes]]),
      [
        ['camera', ['detect']],
        ['ops', ['read', 'admin', 'metrics']],
      ],
    );
    assert.deepEqual(parsed.tokens[0]!.digest, createHash('sha256').update(CAMERA_TOKEN).digest());
    assertNoKeyText(JSON.stringify(parsed.tokens), [CAMERA_TOKEN, ADMIN_TOKEN], 'the parsed tokens');
  });

  test('a file holds one entry per line with # comments, and sha256:<hex> in place of a token', () => {
    const hex = createHash('sha256').update(ADMIN_TOKEN).digest('hex');
    const parsed = parseTokenFile(`# algo API tokens\n\ncamera:detect=${CAMERA_TOKEN}\nops:admin=sha256:${hex}\n`);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.tokens[1]!.digest, tokenDigest(ADMIN_TOKEN));
  });

  test('the sha256: prefix is case-insensitive: SHA256:<hex> is a digest, never a plain token', () => {
    const hex = createHash('sha256').update(ADMIN_TOKEN).digest('hex');
    for (const prefix of ['SHA256', 'Sha256']) {
      const parsed = parseTokenFile(`ops:admin=${prefix}:${hex.toUpperCase()}`);
      assert.ok(parsed.ok, prefix);
      assert.deepEqual(parsed.tokens[0]!.digest, tokenDigest(ADMIN_TOKEN), prefix);
    }
    const short = parseTokenFile('ops:admin=SHA256:7d1e0c9b5a3f2e8d');
    assert.ok(!short.ok);
    assert.match(short.problem, /sha256: must be followed by the 64 hex digits/);
  });

  test('bad entries are refused by position and name, never quoting the token', () => {
    for (const [content, problem] of [
      [`camera=${CAMERA_TOKEN}`, /line 1: expected name:scope\+scope=token/],
      [`camera:watch=${CAMERA_TOKEN}`, /line 1 \(camera\): scopes must be one or more of read, detect, analyze, admin, metrics/],
      ['camera:read=short-7d1e', /line 1 \(camera\): a token must be 16 to 512/],
      ['camera:read=sha256:7d1e0c9b5a3f2e8d', /sha256: must be followed by the 64 hex digits/],
      [`camera:read=${CAMERA_TOKEN}\ncamera:admin=${ADMIN_TOKEN}`, /line 2: the name camera is used twice/],
      [`camera:read=${CAMERA_TOKEN}\nother:admin=${CAMERA_TOKEN}`, /line 2 \(other\): the same token is listed twice/],
      [`ALGO_METRICS_TOKEN:metrics=${CAMERA_TOKEN}`, /not ALGO_METRICS_TOKEN/],
    ] as const) {
      const parsed = parseTokenFile(content);
      assert.ok(!parsed.ok, content);
      assert.match(parsed.problem, problem);
      assertNoKeyText(parsed.problem, [CAMERA_TOKEN, ADMIN_TOKEN, 'short-7d1e'], 'the problem');
    }
  });
});

describe('access-control settings', () => {
  test('without tokens the mode is loopback; with tokens it is tokens; none only when asked for', () => {
    assert.equal(loadConfig({}).auth.mode, 'loopback');
    assert.equal(loadConfig({ ALGO_API_TOKENS: `camera:detect=${CAMERA_TOKEN}` }).auth.mode, 'tokens');
    assert.equal(loadConfig({ ALGO_API_TOKENS_FILE: '/etc/algo/tokens' }).auth.mode, 'tokens');
    assert.equal(loadConfig({ ALGO_API_AUTH: 'none' }).auth.mode, 'none');
    assert.equal(loadConfig({ ALGO_API_AUTH: 'loopback', ALGO_API_TOKENS: `camera:detect=${CAMERA_TOKEN}` }).auth.mode, 'loopback');
  });

  test('throttling defaults to 10 failures per minute per address, 10 000 addresses remembered', () => {
    assert.deepEqual(loadConfig({}).auth.throttle, { maxFailures: 10, windowMs: 60_000, maxClients: 10_000 });
  });

  test('contradictions and bad token lists stop start-up naming the variable, never the token', () => {
    assert.match(configError({ ALGO_API_AUTH: 'tokens' }).message, /ALGO_API_AUTH="tokens".*ALGO_API_TOKENS or ALGO_API_TOKENS_FILE/);
    assert.match(configError({ ALGO_API_AUTH: 'none', ALGO_API_TOKENS: `a:read=${CAMERA_TOKEN}` }).message, /ALGO_API_AUTH="none"/);
    assert.match(configError({ ALGO_API_AUTH: 'open' }).message, /one of tokens, loopback, none/);
    const bad = configError({ ALGO_API_TOKENS: `camera:watch=${CAMERA_TOKEN}` });
    assert.equal(bad.variable, 'ALGO_API_TOKENS');
    assertNoKeyText(bad.message, [CAMERA_TOKEN], 'the error');
    assert.equal(configError({ ALGO_TLS_CERT_FILE: '/etc/algo/cert.pem' }).variable, 'ALGO_TLS_KEY_FILE');
    assert.equal(configError({ ALGO_TLS_KEY_FILE: '/etc/algo/key.pem' }).variable, 'ALGO_TLS_CERT_FILE');
  });
});
