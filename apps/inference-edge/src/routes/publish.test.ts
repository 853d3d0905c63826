// Storage persists across the tests of a file here, so each test publishes under its own name.
import { readBundle, readTar } from '@hepml/models/bundle';
import { describe, expect, it } from 'vitest';
import { api } from '../../test/api.ts';
import { bundleTar, tinyBundle, tokenFor } from '../../test/fixtures.ts';

function upload(tar: Uint8Array<ArrayBuffer>, token: string | null, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('bundle', new Blob([tar], { type: 'application/x-tar' }), 'bundle.tar');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return api('/v1/models', { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const predictBody = JSON.stringify({ rows: [{ et: 40, eta: 0.2, reta: 0.95 }] });
const predict = (name: string, token?: string) =>
  api(`/v1/models/${name}/predict`, {
    method: 'POST',
    body: predictBody,
    headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
  });

describe('POST /v1/models (publish)', () => {
  it('publishes successive versions and recomputes every hash', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const tar = bundleTar(await tinyBundle('pub-ok'));
    const first = await upload(tar, token, { visibility: 'public' });
    expect(first.status).toBe(201);
    const body = (await first.json()) as { version: number; files: { path: string; sha256: string }[] };
    expect(body.version).toBe(1);
    expect(body.files.map((f) => f.path).sort()).toEqual(['manifest.json', 'weights.bin']);
    expect(first.headers.get('location')).toBe('/v1/models/pub-ok/versions/1');
    const second = await upload(tar, token);
    expect(((await second.json()) as { version: number }).version).toBe(2);
  });

  it('needs a token with the publish scope', async () => {
    const tar = bundleTar(await tinyBundle('pub-denied'));
    const anonymous = await upload(tar, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    const reader = await upload(tar, await tokenFor('reader', ['read']));
    expect(reader.status).toBe(403);
    expect(await reader.json()).toMatchObject({ error: { code: 'insufficient_scope', field: 'authorization' } });
    const bogus = await upload(tar, 'hepml_AAAAAAAAAAAA_notarealsecretnotarealsecretnotarealsecret123');
    expect(bogus.status).toBe(401);
  });

  it('refuses a tampered bundle with the reason and stores nothing', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const bundle = await tinyBundle('pub-tampered');
    const weights = bundle.files.get('weights.bin') as Uint8Array;
    const flipped = weights.slice();
    flipped[5] = (flipped[5] ?? 0) ^ 0x10;
    bundle.files.set('weights.bin', flipped);
    const res = await upload(bundleTar(bundle), token);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; field: string } };
    expect(body.error).toMatchObject({ code: 'invalid_bundle', field: 'weights.bin' });
    expect(body.error.message).toMatch(/sha256/);
    expect((await api('/v1/models/pub-tampered/versions', { headers: bearer(token) })).status).toBe(404);
  });

  it('refuses truncated archives, extra files and a wrong content type', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const bundle = await tinyBundle('pub-bad');
    const tar = bundleTar(bundle);
    const truncated = await upload(tar.slice(0, 700), token);
    expect(truncated.status).toBe(422);
    bundle.files.set('notes.txt', new TextEncoder().encode('hello'));
    const extra = await upload(bundleTar(bundle), token);
    expect(extra.status).toBe(422);
    expect(await extra.json()).toMatchObject({ error: { field: 'notes.txt' } });
    const json = await api('/v1/models', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', ...bearer(token) },
    });
    expect(json.status).toBe(415);
  });

  it('gives concurrent publishes distinct versions with no gap', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const tar = bundleTar(await tinyBundle('pub-race'));
    const responses = await Promise.all(Array.from({ length: 24 }, () => upload(tar, token)));
    const versions = await Promise.all(responses.map(async (r) => ((await r.json()) as { version: number }).version));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
});

describe('visibility', () => {
  it('hides private models from other users (404, never 403) and shows them to the owner', async () => {
    const owner = await tokenFor('olga', ['read', 'publish']);
    const outsider = await tokenFor('mallory', ['read', 'publish']);
    expect((await upload(bundleTar(await tinyBundle('vis-private')), owner)).status).toBe(201);
    expect((await predict('vis-private', owner)).status).toBe(200);
    for (const t of [outsider, undefined]) {
      expect((await predict('vis-private', t)).status).toBe(404);
      expect((await api('/v1/models/vis-private/versions', { headers: t ? bearer(t) : {} })).status).toBe(404);
      expect((await api('/v1/models/vis-private/versions/1/bundle', { headers: t ? bearer(t) : {} })).status).toBe(404);
    }
    const listed = (await (await api('/v1/models', { headers: bearer(outsider) })).json()) as {
      models: { name: string }[];
    };
    expect(listed.models.map((m) => m.name)).not.toContain('vis-private');
    // An outsider cannot publish over, deprecate or re-scope someone else's model either.
    expect((await upload(bundleTar(await tinyBundle('vis-private')), outsider)).status).toBe(404);
    const patch = await api('/v1/models/vis-private', {
      method: 'PATCH',
      body: JSON.stringify({ visibility: 'public' }),
      headers: { 'content-type': 'application/json', ...bearer(outsider) },
    });
    expect(patch.status).toBe(404);
  });

  it('shares collaboration models with members only', async () => {
    const owner = await tokenFor('carla', ['read', 'publish'], { collaboration: 'atlas-egamma' });
    const member = await tokenFor('marco', ['read'], { collaboration: 'atlas-egamma' });
    const outsider = await tokenFor('nils', ['read'], { collaboration: 'cms-btv' });
    const res = await upload(bundleTar(await tinyBundle('vis-collab')), owner, {
      visibility: 'collaboration',
      collaboration: 'atlas-egamma',
    });
    expect(res.status).toBe(201);
    expect((await predict('vis-collab', member)).status).toBe(200);
    expect((await predict('vis-collab', outsider)).status).toBe(404);
    expect((await predict('vis-collab')).status).toBe(404);
    const notMember = await upload(bundleTar(await tinyBundle('vis-collab-2')), outsider, {
      visibility: 'collaboration',
      collaboration: 'atlas-egamma',
    });
    expect(notMember.status).toBe(403);
  });
});

describe('versions, downloads and life cycle', () => {
  it('downloads a version as one tar whose hashes check against its manifest', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const bundle = await tinyBundle('dl-model');
    await upload(bundleTar(bundle), token, { visibility: 'public' });
    const res = await api('/v1/models/dl-model/versions/1/bundle');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const files = readTar(new Uint8Array(await res.arrayBuffer()));
    const stripped = new Map([...files].map(([k, v]) => [k.replace(/^dl-model-v1\//, ''), v]));
    const back = await readBundle(stripped);
    expect(back.manifest).toEqual(bundle.manifest);
  });

  it('deprecates, promotes and records both in the audit trail', async () => {
    const token = await tokenFor('alice', ['read', 'publish']);
    const tar = bundleTar(await tinyBundle('life-cycle'));
    await upload(tar, token, { visibility: 'public' });
    await upload(tar, token);
    const post = (path: string, t = token) => api(path, { method: 'POST', headers: bearer(t) });
    expect((await post('/v1/models/life-cycle/versions/2/deprecate')).status).toBe(200);
    const latest = (await (await predict('life-cycle')).json()) as { version: number };
    expect(latest.version).toBe(1);
    expect((await post('/v1/models/life-cycle/versions/2/promote')).status).toBe(409);
    expect((await post('/v1/models/life-cycle/versions/1/promote')).status).toBe(200);
    expect((await post('/v1/models/life-cycle/versions/9/deprecate')).status).toBe(404);
    const reader = await tokenFor('reader', ['read']);
    expect((await post('/v1/models/life-cycle/versions/1/deprecate', reader)).status).toBe(403);
    const versions = (await (await api('/v1/models/life-cycle/versions')).json()) as {
      versions: { version: number; status: string; publishedBy: string }[];
    };
    expect(versions.versions.map((v) => [v.version, v.status, v.publishedBy])).toEqual([
      [2, 'deprecated', 'alice'],
      [1, 'active', 'alice'],
    ]);
    const audit = (await (await api('/v1/models/life-cycle/audit')).json()) as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action)).toEqual([
      'model.promote',
      'version.deprecate',
      'version.publish',
      'version.publish',
    ]);
  });
});
