// The OpenAPI document is generated from the zod schemas the routes validate with: what it says
// the API accepts is what the API accepts.
import { describe, expect, it } from 'vitest';
import { errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish } from '../../test/fixtures.ts';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> };
}

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
      ].sort(),
    );
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
    expect(Object.keys(infer?.properties ?? {}).sort()).toEqual(['id', 'inputs', 'outputs', 'parameters']);
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
