/**
 * The machine's measured peak for single-precision matrix products on one core: a 1024 × 1024 ×
 * 1024 MatMul in ONNX Runtime (MLAS kernels, one thread), the reference that the inference
 * benchmarks quote their achieved GFLOP/s against. 2·n³ floating-point operations per product.
 */

import type { BundleManifestV1 } from '@hepml/models/bundle';
import { denseChainOf, exportOnnx } from '@hepml/models/export';
import { report, timePerCall } from './lib.ts';

export async function measurePeakGflops(n = 1024): Promise<{ gflops: number; msPerProduct: number }> {
  const ort = await import('onnxruntime-node');
  const kernel = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.01);
  const manifest = {
    inputs: Array.from({ length: n }, (_, i) => ({ name: `x${i}`, unit: '1', offset: 0, scale: 1 })),
    outputs: [],
    architecture: {
      kind: 'mlp',
      inputSize: n,
      layers: [{ type: 'dense', units: n, activation: 'linear' }],
      parameters: n * n + n,
    },
  } as unknown as BundleManifestV1;
  const weights = new Float32Array(n * n + n);
  weights.set(kernel);
  const bytes = exportOnnx(denseChainOf(manifest, weights), { name: 'peak' });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n * n }, (_, i) => Math.cos(i)),
    [n, n],
  );
  const { msPerCall } = await timePerCall(() => session.run({ input: x }), { minMs: 1500, minIterations: 3 });
  await session.release();
  return { gflops: (2 * n ** 3) / (msPerCall * 1e6), msPerProduct: msPerCall };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { gflops, msPerProduct } = await measurePeakGflops();
  report('Peak: 1024³ float32 MatMul, ONNX Runtime (MLAS), 1 thread', [
    { 'ms per product': msPerProduct, 'GFLOP/s': gflops },
  ]);
}
