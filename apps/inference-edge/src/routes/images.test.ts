// The CNN energy regression: images as flat arrays with their shape, on v1 and KServe v2.
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { errorOf, get, post } from '../../test/api.ts';
import { cnnBundle, publish } from '../../test/fixtures.ts';

const n = 3;
const cells = Array.from({ length: n * 16 }, (_, i) => Math.abs(Math.sin(0.37 * i)) * 8);
const scalars = { eRaw: [35, 80, 120], eta: [0.2, -1.1, 2.0] };

describe('CNN images', () => {
  it('predicts energy and resolution (GeV) from scalars and images, equal to the runtime', async () => {
    const bundle = await cnnBundle('calo-cnn');
    await publish(bundle);
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    const x = Float32Array.from([35, 0.2, 80, -1.1, 120, 2.0]);
    const expected = runner.predict(x, n, Float32Array.from(cells));
    const res = await post('/v1/models/calo-cnn/predict', {
      columns: scalars,
      image: { shape: [n, 4, 4, 1], data: cells },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: { energy: number; resolution: number }[] };
    for (let r = 0; r < n; r++) {
      expect(body.predictions[r]?.energy).toBeCloseTo(expected[r * 2] as number, 4);
      expect(body.predictions[r]?.resolution).toBeCloseTo(expected[r * 2 + 1] as number, 4);
      // outputScale = eRaw: both outputs are fractions of the raw energy here (sigmoid head).
      expect(body.predictions[r]?.energy).toBeLessThan(scalars.eRaw[r] as number);
      expect(body.predictions[r]?.resolution).toBeGreaterThan(0);
    }

    const meta = (await (await get('/v2/models/calo-cnn')).json()) as { inputs: { name: string; shape: number[] }[] };
    expect(meta.inputs).toContainEqual({ name: 'cells', datatype: 'FP32', shape: [-1, 4, 4, 1] });
    const infer = await post('/v2/models/calo-cnn/infer', {
      inputs: [
        { name: 'eRaw', shape: [n], datatype: 'FP64', data: scalars.eRaw },
        { name: 'eta', shape: [n], datatype: 'FP64', data: scalars.eta },
        { name: 'cells', shape: [n, 4, 4, 1], datatype: 'FP32', data: cells },
      ],
    });
    expect(infer.status).toBe(200);
    const out = (await infer.json()) as { outputs: { name: string; data: number[] }[] };
    expect(out.outputs[0]?.data).toEqual(Array.from(expected.filter((_, i) => i % 2 === 0)));
  });

  it('names a missing image, a wrong shape and a wrong data length', async () => {
    await publish(await cnnBundle('calo-cnn-strict'));
    const cases: [unknown, string][] = [
      [{ columns: scalars }, 'image'],
      [{ columns: scalars, image: { shape: [n, 4, 4, 2], data: cells } }, 'image.shape'],
      [{ columns: scalars, image: { shape: [n, 16, 1], data: cells } }, 'image.shape'],
      [{ columns: scalars, image: { shape: [n, 4, 4, 1], data: cells.slice(1) } }, 'image.data'],
      [{ columns: scalars, image: { shape: [n, 4, 4, 1], data: cells, extra: 1 } }, 'image.extra'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/v1/models/calo-cnn-strict/predict', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((await errorOf(res)).field).toBe(field);
    }
    const infer = await post('/v2/models/calo-cnn-strict/infer', {
      inputs: [
        { name: 'eRaw', shape: [n], datatype: 'FP64', data: scalars.eRaw },
        { name: 'eta', shape: [n], datatype: 'FP64', data: scalars.eta },
        { name: 'cells', shape: [n, 4, 2, 2], datatype: 'FP32', data: cells },
      ],
    });
    expect(infer.status).toBe(400);
    expect((await errorOf(infer)).field).toBe('inputs[2].shape');
  });
});
