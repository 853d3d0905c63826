/**
 * Physics-statistics kernels of @hepml/physics on one core: a weighted ROC curve + AUC on 10⁶ scores
 * (aim < 0.5 s) and histogram fills per second (aim 10⁷/s for a 1D regular axis), with the scalar,
 * weighted, variable-bin and 2D paths for comparison. Inputs are seeded; every figure is the mean time of
 * bounded repetitions (timePerCall).
 */
import { Axis, aucFromRoc, Hist1D, Hist2D, Rng, rocCurve } from '@hepml/physics';
import { type BenchRow, report, timePerCall } from './lib.ts';

const rng = new Rng(2026);

function rocSample(n: number, rounded: boolean): { scores: Float64Array; labels: Uint8Array; weights: Float64Array } {
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const signal = rng.uniform() < 0.4;
    labels[i] = signal ? 1 : 0;
    // Rounded to 1e-4 so that ties occur, as with float32 network outputs.
    const score = rng.normal(signal ? 1 : 0, 1);
    scores[i] = rounded ? Math.round(score * 1e4) / 1e4 : score;
    weights[i] = rng.range(0.5, 1.5);
  }
  return { scores, labels, weights };
}

const rocRows: BenchRow[] = [];
for (const [n, rounded] of [
  [1e5, true],
  [1e6, true],
  [1e6, false],
] as const) {
  const { scores, labels, weights } = rocSample(n, rounded);
  let area = 0;
  const t = await timePerCall(
    () => {
      area = aucFromRoc(rocCurve(scores, labels, { weights }));
    },
    { minMs: 1500, minIterations: 3, warmup: 1 },
  );
  const tu = await timePerCall(() => aucFromRoc(rocCurve(scores, labels)), {
    minMs: 1000,
    minIterations: 3,
    warmup: 1,
  });
  rocRows.push({
    scores: n,
    'distinct scores': rounded ? 'rounded to 1e-4' : 'all',
    'weighted ROC + AUC, ms': t.msPerCall,
    'unweighted, ms': tu.msPerCall,
    AUC: area,
  });
}
report('Weighted ROC curve + AUC (rocCurve + aucFromRoc), one core', rocRows, [
  'Aim: 10⁶ scores in < 500 ms. Gaussian scores (Δ = 1σ), 40 % signal, weights U(0.5, 1.5); rounded scores tie like float32 outputs.',
]);

const N = 1e7;
const x = new Float64Array(N);
const y = new Float64Array(N);
const w = new Float64Array(N);
for (let i = 0; i < N; i++) {
  x[i] = rng.normal(0, 2);
  y[i] = rng.uniform() * 3;
  w[i] = rng.range(0.5, 1.5);
}
const fillRows: BenchRow[] = [];
async function measure(label: string, fills: number, fn: () => void): Promise<void> {
  const t = await timePerCall(fn, { minMs: 1000, minIterations: 3, warmup: 1 });
  fillRows.push({
    path: label,
    'fills per call': fills,
    'ms per call': t.msPerCall,
    'fills/s': fills / (t.msPerCall / 1000),
  });
}
await measure('Hist1D regular, fillArray, unweighted', N, () => Hist1D.regular(100, -5, 5).fillArray(x));
await measure('Hist1D regular, fillArray, weighted', N, () => Hist1D.regular(100, -5, 5).fillArray(x, w));
await measure('Hist1D regular, scalar fill()', N / 10, () => {
  const h = Hist1D.regular(100, -5, 5);
  for (let i = 0; i < N / 10; i++) h.fill(x[i] as number);
});
const variableEdges = [-5, -3, -2, -1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2, 3, 5];
await measure('Hist1D variable (14 bins), fillArray', N / 10, () =>
  Hist1D.variable(variableEdges).fillArray(x.subarray(0, N / 10)),
);
await measure('Hist2D 100 × 30, fillArrays, weighted', N / 10, () =>
  new Hist2D(Axis.regular(100, -5, 5), Axis.regular(30, 0, 3)).fillArrays(
    x.subarray(0, N / 10),
    y.subarray(0, N / 10),
    w.subarray(0, N / 10),
  ),
);
report('Histogram fills per second, one core', fillRows, ['Aim: 10⁷ fills/s for a 1D regular axis (fillArray).']);
