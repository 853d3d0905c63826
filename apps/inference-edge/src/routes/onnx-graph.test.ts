// An imported ONNX graph (issue 19) that is not a dense chain — a 1-D convolution over the inputs —
// is published as an `onnx-graph` bundle and served by /v1 predict inside workerd, giving the
// answer of the runtime's interpreter in process.
import { OnnxGraph } from '@hepml/models/export';
import { importOnnx } from '@hepml/models/import';
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { post } from '../../test/api.ts';
import { publish } from '../../test/fixtures.ts';

const INPUTS = [
  { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
  { name: 'eta', unit: '1', offset: 0, scale: 1.2 },
  { name: 'reta', unit: '1', offset: 0.9, scale: 0.05 },
  { name: 'rphi', unit: '1', offset: 0.9, scale: 0.05 },
];

const ROWS = [
  { et: 41.2, eta: 0.3, reta: 0.95, rphi: 0.93 },
  { et: 12, eta: -2.1, reta: 0.8, rphi: 0.85 },
  { et: 80, eta: 1.1, reta: 0.97, rphi: 0.96 },
];

/** x [N, 4] → Reshape [N, 1, 4] → Conv (2 filters, width 2) → Relu → Flatten → Gemm → Sigmoid. */
function convGraph(): Uint8Array {
  const g = new OnnxGraph(13);
  const x = g.input({ name: 'x', type: 'float', shape: ['N', 4] });
  const r = g.node('Reshape', [x, g.int64s('shape', [3], [0, 1, 4])]);
  const c = g.node('Relu', [
    g.node('Conv', [r, g.floats('k', [2, 1, 2], [0.5, -0.3, 0.8, 0.2]), g.floats('c', [2], [0.1, -0.2])]),
  ]);
  const f = g.node('Flatten', [c]);
  const z = g.node('Gemm', [f, g.floats('w', [1, 6], [0.4, -0.7, 0.3, 0.9, -0.2, 0.6]), g.floats('b', [1], [0.05])], {
    attributes: { transB: { int: 1 } },
  });
  g.node('Sigmoid', [z], { output: 'score' });
  g.output({ name: 'score', type: 'float', shape: ['N', 1] });
  return g.encode('conv1d-tagger');
}

describe('an imported onnx-graph bundle served by /v1', () => {
  it('predicts what the runtime computes in process', async () => {
    const bundle = await importOnnx(convGraph(), { name: 'onnx-conv-tagger', task: 'electron-id', inputs: INPUTS });
    expect(bundle.manifest.architecture.kind).toBe('onnx-graph');
    await publish(bundle);
    const res = await post('/v1/models/onnx-conv-tagger/predict', { rows: ROWS });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { n: number; predictions: { score: number }[] };
    expect(body.n).toBe(3);
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    const x = Float32Array.from(ROWS.flatMap((r) => INPUTS.map((i) => r[i.name as keyof typeof r])));
    const expected = runner.predict(x, 3);
    for (const [i, p] of body.predictions.entries()) expect(p.score).toBeCloseTo(expected[i] as number, 6);
    expect(new Set(body.predictions.map((p) => p.score.toFixed(4))).size).toBe(3);
  });
});
