import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { tokenFor } from '../../test/fixtures.ts';

const api = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://edge${path}`, init));
const json = (method: string, path: string, token: string | null, body: unknown) =>
  api(path, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
const me = (token: string) => api('/v1/me', { headers: { authorization: `Bearer ${token}` } });

describe('tokens', () => {
  it('mints a token for oneself with no more than one’s own scopes, and revokes it', async () => {
    const parent = await tokenFor('tess', ['read']);
    const res = await json('POST', '/v1/tokens', parent, { name: 'laptop', scopes: ['read'] });
    expect(res.status).toBe(201);
    const { id, token } = (await res.json()) as { id: number; token: string };
    expect(token).toMatch(/^hepml_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await (await me(token)).json()).toMatchObject({ user: 'tess', scopes: ['read'] });
    const escalate = await json('POST', '/v1/tokens', parent, { name: 'more', scopes: ['publish'] });
    expect(escalate.status).toBe(403);
    expect((await json('DELETE', `/v1/tokens/${id}`, parent, {})).status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });

  it('rejects expired tokens and other people’s token ids', async () => {
    const expired = await tokenFor('ed', ['read'], { expiresAt: '2020-01-01T00:00:00Z' });
    expect((await me(expired)).status).toBe(401);
    const a = await tokenFor('amy', ['read']);
    const b = await tokenFor('bob', ['read']);
    const { id } = (await (await json('POST', '/v1/tokens', a, { name: 'x', scopes: ['read'] })).json()) as {
      id: number;
    };
    expect((await json('DELETE', `/v1/tokens/${id}`, b, {})).status).toBe(404);
  });

  it('names the bad field', async () => {
    const t = await tokenFor('val', ['read']);
    const res = await json('POST', '/v1/tokens', t, { name: 'x', scopes: ['root'] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: 'scopes' } });
    const extra = await json('POST', '/v1/tokens', t, { name: 'x', scopes: ['read'], admin: true });
    expect(await extra.json()).toMatchObject({ error: { field: 'admin' } });
    // Not a bearer header at all: 400 invalid_request, as Hono's bearer-auth answers.
    const malformed = await api('/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_request', field: 'authorization' } });
  });

  it('lets an admin create collaborations and members, and nobody else', async () => {
    const admin = await tokenFor('root', ['read', 'publish', 'admin'], { admin: true });
    const user = await tokenFor('uma', ['read', 'publish']);
    expect((await json('POST', '/v1/collaborations', user, { name: 'lhcb-pid' })).status).toBe(403);
    expect((await json('POST', '/v1/collaborations', admin, { name: 'lhcb-pid' })).status).toBe(201);
    expect((await json('POST', '/v1/collaborations/lhcb-pid/members', admin, { user: 'uma' })).status).toBe(201);
    const after = (await (await me(user)).json()) as { collaborationIds: number[] };
    expect(after.collaborationIds).toHaveLength(1);
  });
});
