// KServe v2 / open inference protocol round trips inside workerd, against the in-process runtime.
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish } from '../../test/fixtures.ts';

interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
}

const columns = {
  et: [41.2, 12, 80, 25, 33.3],
  eta: [0.3, -2.1, 1.1, -0.4, 2.4],
  reta: [0.95, 0.8, 0.97, 0.91, 0.88],
};

describe('KServe v2', () => {
  it('answers the health endpoints', async () => {
    const live = await get('/v2/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ live: true });
    const ready = await get('/v2/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    expect(((await (await get('/v2')).json()) as { name: string }).name).toBe('hepml-edge');
  });

  it('describes a model: input names, datatypes and shapes, outputs, versions', async () => {
    await publish(await mlpBundle({ name: 'ks-meta' }));
    await publish(await mlpBundle({ name: 'ks-meta', phase: 1 }));
    const res = await get('/v2/models/ks-meta');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: 'ks-meta',
      versions: ['2', '1'],
      platform: 'hepml_runtime',
      inputs: [
        { name: 'et', datatype: 'FP32', shape: [-1] },
        { name: 'eta', datatype: 'FP32', shape: [-1] },
        { name: 'reta', datatype: 'FP32', shape: [-1] },
      ],
      outputs: [{ name: 'score', datatype: 'FP32', shape: [-1] }],
    });
    const v1 = (await (await get('/v2/models/ks-meta/versions/1')).json()) as { versions: string[] };
    expect(v1.versions).toEqual(['1']);
    expect(((await (await get('/v2/models/ks-meta/ready')).json()) as { ready: boolean }).ready).toBe(true);
  });

  it('round-trips an infer request (FP32 and FP64) equal to the in-process runtime', async () => {
    const bundle = await mlpBundle({
      name: 'ks-infer',
      outputs: [
        { name: 'score', kind: 'score', unit: '1' },
        { name: 'aux', kind: 'score', unit: '1' },
      ],
    });
    await publish(bundle);
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    const n = columns.et.length;
    const x = new Float32Array(n * 3);
    for (let r = 0; r < n; r++) {
      x[r * 3] = columns.et[r] as number;
      x[r * 3 + 1] = columns.eta[r] as number;
      x[r * 3 + 2] = columns.reta[r] as number;
    }
    const expected = runner.predict(x, n);
    const request = {
      id: 'req-1',
      inputs: [
        { name: 'reta', shape: [n, 1], datatype: 'FP64', data: columns.reta },
        { name: 'et', shape: [n], datatype: 'FP32', data: columns.et },
        { name: 'eta', shape: [n], datatype: 'FP32', data: columns.eta },
      ],
    };
    const res = await post('/v2/models/ks-infer/infer', request);
    expect(res.status).toBe(200);
    const body = (await res.json()) as InferResponse;
    expect(body.model_name).toBe('ks-infer');
    expect(body.model_version).toBe('1');
    expect(body.id).toBe('req-1');
    expect(body.outputs.map((o) => [o.name, o.shape, o.datatype])).toEqual([
      ['score', [n], 'FP32'],
      ['aux', [n], 'FP32'],
    ]);
    for (let r = 0; r < n; r++) {
      expect(body.outputs[0]?.data[r]).toBe(expected[r * 2]);
      expect(body.outputs[1]?.data[r]).toBe(expected[r * 2 + 1]);
    }
    // The same rows through v1 give the same scores.
    const v1 = (await (await post('/v1/models/ks-infer/predict', { columns })).json()) as { scores: number[] };
    expect(v1.scores).toEqual(body.outputs[0]?.data);
    // Asking for one output returns only it; a named version answers as itself.
    const one = await post('/v2/models/ks-infer/versions/1/infer', { ...request, outputs: [{ name: 'aux' }] });
    const oneBody = (await one.json()) as InferResponse;
    expect(oneBody.outputs.map((o) => o.name)).toEqual(['aux']);
    expect(oneBody.outputs[0]?.data).toEqual(body.outputs[1]?.data);
  });

  it('refuses bad tensors with a 4xx naming the tensor', async () => {
    await publish(await mlpBundle({ name: 'ks-strict' }));
    const good = [
      { name: 'et', shape: [2], datatype: 'FP32', data: [40, 50] },
      { name: 'eta', shape: [2], datatype: 'FP32', data: [0.1, 0.2] },
      { name: 'reta', shape: [2], datatype: 'FP32', data: [0.9, 0.95] },
    ];
    const cases: [unknown, number, string][] = [
      [{ inputs: [{ ...good[0], datatype: 'BYTES' }, good[1], good[2]] }, 400, 'inputs[0].datatype'],
      [{ inputs: [{ ...good[0], data: [40] }, good[1], good[2]] }, 400, 'inputs[0].data'],
      [{ inputs: [good[0], good[1]] }, 400, 'inputs.reta'],
      [{ inputs: [...good, { name: 'foo', shape: [2], datatype: 'FP32', data: [1, 2] }] }, 400, 'inputs[3].name'],
      [{ inputs: [good[0], good[1], { ...good[2], shape: [1, 2], data: [1, 2] }] }, 400, 'inputs[2].shape'],
      [{ inputs: [good[0], good[1], { ...good[2], shape: [3], data: [1, 2, 3] }] }, 400, 'inputs[2].shape'],
      [{ inputs: [good[0], good[1], good[0]] }, 400, 'inputs[2].name'],
      [{ inputs: good, outputs: [{ name: 'nope' }] }, 400, 'outputs[0].name'],
      [{ inputs: good, extra: 1 }, 400, 'extra'],
      [{ inputs: [] }, 400, 'inputs'],
      [{ inputs: [{ ...good[0], data: [40, 'x'] }, good[1], good[2]] }, 400, 'inputs[0].data[1]'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post('/v2/models/ks-strict/infer', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await errorOf(res)).field, JSON.stringify(body)).toBe(field);
    }
    const n = 10_001;
    const big = await post('/v2/models/ks-strict/infer', {
      inputs: good.map((t) => ({ ...t, shape: [n], data: new Array(n).fill(1) })),
    });
    expect(big.status).toBe(413);
    expect((await post('/v2/models/unknown-model/infer', { inputs: good })).status).toBe(404);
  });
});
