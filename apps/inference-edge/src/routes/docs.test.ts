// The OpenAPI document is generated from the zod schemas the routes validate with: what it says
// the API accepts is what the API accepts.
import { describe, expect, it } from 'vitest';
import { api, errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish, tokenFor } from '../../test/fixtures.ts';
import app from '../index.ts';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('GET /v1/openapi.json and /docs', () => {
  it('lists every v1 and KServe v2 operation', async () => {
    const res = await get('/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'get /v1/models',
        'get /v1/tasks',
        'get /v1/models/{name}',
        'get /v1/models/{name}/versions/{version}',
        'post /v1/models/{name}/predict',
        'post /v1/models/{name}/versions/{version}/predict',
        'get /v1/models/{name}/scale-factors',
        'get /v1/models/{name}/versions',
        'get /v1/models/{name}/audit',
        'get /v1/models/{name}/versions/{version}/bundle',
        'post /v1/models/{name}/versions/{version}/deprecate',
        'post /v1/models/{name}/versions/{version}/promote',
        'post /v1/models/{name}/versions/{version}/scale-factors',
        'patch /v1/models/{name}',
        'get /v2/models/{name}',
        'get /v2/models/{name}/versions/{version}',
        'get /v2/models/{name}/ready',
        'get /v2/models/{name}/versions/{version}/ready',
        'post /v2/models/{name}/infer',
        'post /v2/models/{name}/versions/{version}/infer',
        'post /v2/repository/index',
        // Issue 21: the routes that were written in bare Hono are in the document too.
        'get /',
        'get /docs',
        'get /v1/openapi.json',
        'post /v1/models',
        'get /v1/me',
        'post /v1/tokens',
        'delete /v1/tokens/{id}',
        'post /v1/collaborations',
        'post /v1/collaborations/{name}/members',
        'get /v2',
        'get /v2/health/live',
        'get /v2/health/ready',
      ].sort(),
    );
  });

  it('documents every route the app serves (issue 21: one way to define a route)', async () => {
    const doc = (await (await get('/v1/openapi.json')).json()) as OpenApiDoc;
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)),
    );
    // Middleware is registered for ALL methods; every handler of a method is a route.
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replaceAll(/:([^/]+)/g, '{$1}')}`),
    );
    expect(served.size).toBeGreaterThan(20);
    expect([...served].filter((op) => !documented.has(op))).toEqual([]);
    expect([...documented].filter((op) => !served.has(op))).toEqual([]);
  });

  it('lists at / exactly the operations of the document, in its order (issue 21)', async () => {
    const doc = (await (await get('/v1/openapi.json')).json()) as OpenApiDoc;
    const index = (await (await get('/')).json()) as { openapi: string; docs: string; endpoints: string[] };
    expect(index.openapi).toBe('/v1/openapi.json');
    expect(index.docs).toBe('/docs');
    const ops = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(index.endpoints).toEqual(ops);
    // The three the hand-written list lacked.
    for (const op of ['DELETE /v1/tokens/{id}', 'POST /v1/collaborations', 'GET /v2/models/{name}/ready']) {
      expect(index.endpoints).toContain(op);
    }
  });

  it('answers bad input with invalid_input naming the field on the routes that were hand-validated (issue 21)', async () => {
    const admin = await tokenFor('docs-admin', ['read', 'publish', 'admin'], { admin: true });
    const cases: [string, RequestInit, string][] = [
      ['/v1/tokens', json('POST', { name: '', scopes: ['read'] }), 'name'],
      ['/v1/tokens', json('POST', { name: 'x', scopes: [] }), 'scopes'],
      ['/v1/tokens', json('POST', { name: 'x', scopes: ['read'], expiresAt: 'soon' }), 'expiresAt'],
      ['/v1/tokens', json('POST', [1, 2]), 'body'],
      ['/v1/tokens/abc', { method: 'DELETE' }, 'id'],
      ['/v1/collaborations', json('POST', { name: 'Not A Name' }), 'name'],
      ['/v1/collaborations/lhcb/members', json('POST', { user: 'a', role: 'x' }), 'role'],
      [
        '/v1/models?visibility=everyone',
        { method: 'POST', headers: { 'content-type': 'application/x-tar' }, body: new Uint8Array(512) },
        'visibility',
      ],
    ];
    for (const [path, init, field] of cases) {
      const headers = { ...(init.headers as Record<string, string>), authorization: `Bearer ${admin}` };
      const res = await api(path, { ...init, headers });
      expect(res.status, path).toBe(400);
      expect(await errorOf(res), path).toMatchObject({ code: 'invalid_input', field });
    }
  });

  it('documents exactly the predict fields the validator accepts', async () => {
    const doc = (await (await get('/v1/openapi.json')).json()) as OpenApiDoc;
    const ref = doc.paths['/v1/models/{name}/predict']?.post?.requestBody?.content['application/json']?.schema.$ref;
    expect(ref).toBe('#/components/schemas/PredictRequest');
    const schema = doc.components.schemas.PredictRequest;
    const fields = Object.keys(schema?.properties ?? {});
    expect(fields.sort()).toEqual(['columns', 'image', 'rows', 'workingPoint']);
    expect(schema?.additionalProperties).toBe(false);
    // Each documented field is accepted by the route; an undocumented one is refused by name.
    await publish(await mlpBundle({ name: 'doc-check' }));
    const ok = await post('/v1/models/doc-check/predict', { rows: [{ et: 40, eta: 0.1, reta: 0.9 }] });
    expect(ok.status).toBe(200);
    const extra = await post('/v1/models/doc-check/predict', { rows: [{ et: 40, eta: 0.1, reta: 0.9 }], batch: 1 });
    expect(extra.status).toBe(400);
    expect((await errorOf(extra)).field).toBe('batch');
    const infer = doc.components.schemas.InferRequest;
    expect(Object.keys(infer?.properties ?? {}).sort()).toEqual([
      'id',
      'inputs',
      'model_name',
      'model_version',
      'outputs',
      'parameters',
    ]);
  });

  it('serves a self-contained HTML docs page (no external script or style)', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/v1/openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
    expect(html).not.toMatch(/https?:\/\/(?!kserve)/);
  });
});
