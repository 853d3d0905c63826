// Access control and response hygiene of the edge API (issue 11): tokens that fail all look alike,
// scopes are enforced per write route, private models are 404 to outsiders on every route that
// names a model (writes and KServe readiness included; access.test.ts covers the read routes), and
// error bodies carry neither stack traces nor SQL.
import { env } from 'cloudflare:workers';
import { createToken, ensureUser, openRegistry, revokeToken } from '@hepml/models/registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, errorOf, get, post } from './api.ts';
import { bundleTar, mlpBundle, publish, tokenFor } from './fixtures.ts';

const row = { et: 40, eta: 0.2, reta: 0.95 };
const LEAK_RE = /\n\s+at |\.ts:\d+|\bselect\b.*\bfrom\b|\binsert into\b|sqlite|D1_ERROR/i;

let owner = '';
let outsider = '';
let readOnly = '';

beforeAll(async () => {
  await publish(await mlpBundle({ name: 'sec-private' }), { visibility: 'private', owner: 'sec-owner' });
  await publish(await mlpBundle({ name: 'sec-public' }));
  owner = await tokenFor('sec-owner', ['read', 'publish']);
  outsider = await tokenFor('sec-outsider', ['read', 'publish']);
  readOnly = await tokenFor('sec-reader', ['read']);
});

/** Swaps one character of the secret, keeping its length. */
function sameLengthWrong(token: string): string {
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -1)}${last}`;
}

describe('tokens', () => {
  it('a wrong secret of the right length, a wrong length, an unknown id, expired and revoked: one 401 body', async () => {
    const db = openRegistry(env.DB);
    const userId = await ensureUser(db, 'sec-tokens');
    const expired = await createToken(db, {
      userId,
      name: 'expired',
      scopes: ['read'],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    const revoked = await createToken(db, { userId, name: 'revoked', scopes: ['read'] });
    expect((await get('/v1/me', revoked.token)).status).toBe(200);
    expect(await revokeToken(db, revoked.id, userId)).toBe(true);
    const valid = await tokenFor('sec-tokens', ['read']);
    expect((await get('/v1/me', valid)).status).toBe(200);
    // hepml_<12-character id>_<secret>; the secret is base64url and may itself contain '_'.
    const publicId = valid.slice(6, 18);
    const secret = valid.slice(19);
    const bad = {
      'wrong secret, same length': sameLengthWrong(valid),
      'wrong length': `${valid}x`,
      'short secret': `hepml_${publicId}_x`,
      'unknown id': `hepml_nosuchid0000_${secret}`,
      expired: expired.token,
      revoked: revoked.token,
    };
    // One body per error form: the /v1 envelope, the protocol's form on /v2.
    const bodies = { v1: new Set<string>(), v2: new Set<string>() };
    for (const [what, token] of Object.entries(bad)) {
      for (const path of ['/v1/me', '/v1/models/sec-public', '/v2/models/sec-public']) {
        const res = await get(path, token);
        expect(res.status, `${what} on ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate'), what).toContain('error="invalid_token"');
        bodies[path.startsWith('/v2') ? 'v2' : 'v1'].add(await res.text());
      }
    }
    expect([...bodies.v1]).toHaveLength(1);
    expect([...bodies.v2]).toHaveLength(1);
  });

  it('a read-only token cannot publish, deprecate, promote or change visibility (403); no token is 401', async () => {
    const tar = bundleTar(await mlpBundle({ name: 'sec-public' }));
    const writes: [string, (t?: string) => Promise<Response>][] = [
      [
        'publish',
        (t) =>
          api('/v1/models', {
            method: 'POST',
            headers: { 'content-type': 'application/x-tar', ...(t ? { authorization: `Bearer ${t}` } : {}) },
            body: tar,
          }),
      ],
      ['deprecate', (t) => post('/v1/models/sec-public/versions/1/deprecate', {}, t)],
      ['promote', (t) => post('/v1/models/sec-public/versions/1/promote', {}, t)],
      [
        'visibility',
        (t) =>
          api('/v1/models/sec-public', {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
            body: '{"visibility":"private"}',
          }),
      ],
    ];
    for (const [what, call] of writes) {
      const ro = await call(readOnly);
      expect(ro.status, `${what} read-only`).toBe(403);
      expect((await errorOf(ro)).code).toBe('insufficient_scope');
      const anon = await call(undefined);
      expect(anon.status, `${what} anonymous`).toBe(401);
    }
    // Nothing changed: still one public active version.
    const model = (await (await get('/v1/models/sec-public')).json()) as { latestVersion: number; visibility: string };
    expect(model).toMatchObject({ latestVersion: 1, visibility: 'public' });
  });
});

describe('private models on every route that names a model', () => {
  it('answers an outsider 404 exactly as for a missing model, writes and readiness included', async () => {
    const routes: [string, (name: string, t: string) => Promise<Response>][] = [
      ['detail', (n, t) => get(`/v1/models/${n}`, t)],
      ['versions', (n, t) => get(`/v1/models/${n}/versions`, t)],
      ['version', (n, t) => get(`/v1/models/${n}/versions/1`, t)],
      ['bundle', (n, t) => get(`/v1/models/${n}/versions/1/bundle`, t)],
      ['audit', (n, t) => get(`/v1/models/${n}/audit`, t)],
      ['scale factors', (n, t) => get(`/v1/models/${n}/scale-factors`, t)],
      ['predict', (n, t) => post(`/v1/models/${n}/predict`, { rows: [row] }, t)],
      ['predict v1', (n, t) => post(`/v1/models/${n}/versions/1/predict`, { rows: [row] }, t)],
      ['deprecate', (n, t) => post(`/v1/models/${n}/versions/1/deprecate`, {}, t)],
      ['promote', (n, t) => post(`/v1/models/${n}/versions/1/promote`, {}, t)],
      [
        'visibility',
        (n, t) =>
          api(`/v1/models/${n}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
            body: '{"visibility":"public"}',
          }),
      ],
      ['kserve metadata', (n, t) => get(`/v2/models/${n}`, t)],
      ['kserve version', (n, t) => get(`/v2/models/${n}/versions/1`, t)],
      ['kserve ready', (n, t) => get(`/v2/models/${n}/ready`, t)],
      ['kserve version ready', (n, t) => get(`/v2/models/${n}/versions/1/ready`, t)],
      [
        'kserve infer',
        (n, t) =>
          post(
            `/v2/models/${n}/infer`,
            {
              inputs: ['et', 'eta', 'reta'].map((name) => ({ name, shape: [1], datatype: 'FP32', data: [0.5] })),
            },
            t,
          ),
      ],
    ];
    for (const [what, call] of routes) {
      const hidden = await call('sec-private', outsider);
      const missing = await call('sec-never-published', outsider);
      expect(hidden.status, what).toBe(404);
      expect(missing.status, what).toBe(404);
      const h = await errorOf(hidden);
      const m = await errorOf(missing);
      expect(h.code, what).toBe(m.code);
      expect(h.message.replace('sec-private', 'X'), what).toBe(m.message.replace('sec-never-published', 'X'));
    }
    // The owner still sees it, so the 404s above are about access, not a broken model.
    expect((await get('/v1/models/sec-private', owner)).status).toBe(200);
    const list = (await (await get('/v1/models', outsider)).json()) as { models: { name: string }[] };
    expect(list.models.map((m) => m.name)).not.toContain('sec-private');
  });
});

describe('response hygiene', () => {
  it('error bodies carry no stack trace or SQL, for auth, routing, validation and registry errors', async () => {
    const answers = [
      await get('/v1/me', 'hepml_x_y'),
      await get('/v1/nope'),
      await post('/v1/models/sec-public/predict', '{"rows":[{"et":"1e999"}]}'),
      await post("/v1/models/sec-public'%20or%201=1--/predict", { rows: [row] }),
      await get('/v1/models/sec-public/versions/99999'),
      await post('/v1/models/sec-public/versions/1/deprecate', {}, outsider),
    ];
    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const text = await res.text();
      expect(text).not.toMatch(LEAK_RE);
      expect(JSON.parse(text)).toHaveProperty('error.code');
    }
  });
});

describe('headers', () => {
  it('security headers on answers and errors; no CORS grant to a foreign origin, even on a preflight', async () => {
    const answers = [
      await get('/v1/models/sec-public'),
      await get('/v1/models/sec-never-published'),
      await post('/v1/models/sec-public/predict', '{'),
      await get('/v1/nope'),
      await get('/v1/me', 'hepml_bad_token'),
      await get('/'),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options'), String(res.status)).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), String(res.status)).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), String(res.status)).toBe('SAMEORIGIN');
      expect(res.headers.get('access-control-allow-origin'), String(res.status)).toBeNull();
    }
    const preflight = await api('/v1/models', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    // The docs page keeps its own content security policy.
    const docs = await get('/docs');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
