// The worker instantiates the SIMD kernels from the precompiled module wrangler bundles, so the
// networks it serves run on WebAssembly inside workerd (compiling from bytes is refused there).
import { createRunner, wasmKernels } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { post } from '../test/api.ts';
import { mlpBundle, publish } from '../test/fixtures.ts';

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
    const x = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) x.set([columns.et[i] ?? 0, columns.eta[i] ?? 0, columns.reta[i] ?? 0], i * 3);
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
});
