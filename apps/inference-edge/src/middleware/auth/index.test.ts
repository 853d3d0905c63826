// Bearer tokens parsed as Hono's bearer-auth does (issue 20): the scheme in any case, a malformed
// header 400 with error="invalid_request", a bad token 401 with error="invalid_token".
import { describe, expect, it } from 'vitest';
import { api, errorOf } from '../../../test/api.ts';
import { tokenFor } from '../../../test/fixtures.ts';
import { bearerToken } from './index.ts';

const withAuth = (path: string, authorization: string) => api(path, { headers: { authorization } });

describe('bearer auth', () => {
  it('parses the header as Hono does', () => {
    expect(bearerToken('Bearer abc.DEF_-~+/=')).toBe('abc.DEF_-~+/=');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER    abc')).toBe('abc');
    for (const bad of [
      'Bearer',
      'Bearer ',
      'Bearerabc',
      'Basic abc',
      'Bearer a b',
      'Bearer abc ',
      'Bearer a"b',
      'Bearer =abc',
    ]) {
      expect(bearerToken(bad), bad).toBeUndefined();
    }
  });

  it('matches the scheme case-insensitively on every route', async () => {
    const token = await tokenFor('auth-case', ['read']);
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await withAuth('/v1/me', `${scheme} ${token}`);
      expect(res.status, scheme).toBe(200);
    }
    expect((await withAuth('/v2/health/live', `bearer ${token}`)).status).toBe(200);
  });

  it('answers a malformed header 400 invalid_request and a bad token 401 invalid_token', async () => {
    const token = await tokenFor('auth-bad', ['read']);
    for (const path of ['/v1/me', '/v2/models/anything']) {
      for (const header of ['Basic dXNlcjpwdw==', 'Bearer', `Bearer ${token} extra`, `Token ${token}`, 'Bearer a"b']) {
        const res = await withAuth(path, header);
        expect(res.status, `${path} ${header}`).toBe(400);
        expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
        expect(await errorOf(res)).toMatchObject({ code: 'invalid_request', field: 'authorization' });
      }
      const bad = await withAuth(path, `Bearer ${token}x`);
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await errorOf(bad)).toMatchObject({ code: 'invalid_token' });
    }
  });

  it('a token without the scope is 403 with error="insufficient_scope"', async () => {
    const reader = await tokenFor('auth-reader', ['read']);
    const res = await api('/v1/models/x/versions/1/deprecate', {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });
});
