// The worker instantiates the SIMD kernels from the precompiled module wrangler bundles, so the
// networks it serves run on WebAssembly inside workerd (compiling from bytes is refused there).
import { createRunner, wasmKernels } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { post } from '../test/api.ts';
import { cnnBundle, gbdtBundle, mlpBundle, publish } from '../test/fixtures.ts';

describe('WebAssembly kernels in workerd', () => {
  it('are instantiated by the worker, and serve the same scores as the TypeScript loops', async () => {
    expect(wasmKernels()).not.toBeNull();
    const bundle = await mlpBundle({ name: 'wasm-tagger', hidden: 9, phase: 0.7 });
    await publish(bundle);
    const n = 37;
    const columns = {
      et: Array.from({ length: n }, (_, i) => 10 + 3 * i),
      eta: Array.from({ length: n }, (_, i) => -2.4 + 0.13 * i),
      reta: Array.from({ length: n }, (_, i) => 0.8 + 0.005 * i),
    };
    const x = electronRows(columns);
    const files = Object.fromEntries(bundle.files);
    const ts = createRunner(bundle.manifest, files, { kernels: 'ts' }).predict(x, n);
    const res = await post('/v1/models/wasm-tagger/predict', { columns });
    expect(res.status).toBe(200);
    const scores = ((await res.json()) as { scores: number[] }).scores;
    expect(scores).toHaveLength(n);
    for (let i = 0; i < n; i++) expect(scores[i]).toBeCloseTo(ts[i] as number, 5);
    // The TypeScript loops give exactly what the kernels give up to float rounding, not the same
    // array: the served answer went through the other path.
    expect(new Set(scores).size).toBeGreaterThan(n / 2);
  });

  it('have FinalizationRegistry (enable_weak_ref, default at our compatibility date) to take back the memory of dropped runners', () => {
    expect(typeof FinalizationRegistry).toBe('function');
  });

  it('run the CNN+FiLM regression (convolution, FiLM, pooling, head) as the TypeScript loops do', async () => {
    const bundle = await cnnBundle('wasm-cnn');
    await publish(bundle);
    // 37 rows: more than one block of the wasm path (32 rows) and a partial one.
    const n = 37;
    const eRaw = Array.from({ length: n }, (_, i) => 20 + 4 * i);
    const eta = Array.from({ length: n }, (_, i) => -2.2 + 0.12 * i);
    const cells = Array.from({ length: n * 16 }, (_, i) => Math.abs(Math.sin(0.37 * i)) * 8);
    const x = Float32Array.from(eRaw.flatMap((e, i) => [e, eta[i] as number]));
    const ts = createRunner(bundle.manifest, Object.fromEntries(bundle.files), { kernels: 'ts' }).predict(
      x,
      n,
      Float32Array.from(cells),
    );
    const res = await post('/v1/models/wasm-cnn/predict', {
      columns: { eRaw, eta },
      image: { shape: [n, 4, 4, 1], data: cells },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: { energy: number; resolution: number }[] };
    expect(body.predictions).toHaveLength(n);
    for (let r = 0; r < n; r++) {
      expect(body.predictions[r]?.energy).toBeCloseTo(ts[r * 2] as number, 3);
      expect(body.predictions[r]?.resolution).toBeCloseTo(ts[r * 2 + 1] as number, 3);
    }
  });

  it('run the GBDT baseline on the gbdtSum kernel, giving the scores of the TypeScript loops to the bit', async () => {
    const bundle = await gbdtBundle('wasm-gbdt');
    await publish(bundle);
    // 37 rows: four groups of eight walked together and five walked one by one.
    const n = 37;
    const columns = {
      et: Array.from({ length: n }, (_, i) => 10 + 2.5 * i),
      eta: Array.from({ length: n }, (_, i) => -2.3 + 0.125 * i),
      reta: Array.from({ length: n }, (_, i) => 0.8 + 0.0055 * i),
    };
    const x = electronRows(columns);
    const ts = createRunner(bundle.manifest, Object.fromEntries(bundle.files), { kernels: 'ts' }).predict(x, n);
    const res = await post('/v1/models/wasm-gbdt/predict', { columns });
    expect(res.status).toBe(200);
    const scores = ((await res.json()) as { scores: number[] }).scores;
    expect(scores).toEqual(Array.from(ts));
    expect(new Set(scores).size).toBeGreaterThan(5);
  });
});

/** The row-major feature matrix [n × (et, eta, reta)] of the columns a predict request sends. */
function electronRows(columns: { et: number[]; eta: number[]; reta: number[] }): Float32Array {
  const n = columns.et.length;
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) x.set([columns.et[i] ?? 0, columns.eta[i] ?? 0, columns.reta[i] ?? 0], i * 3);
  return x;
}
