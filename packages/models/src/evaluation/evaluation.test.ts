import { auc, Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { parseEvaluation } from '../bundle/evaluation.ts';
import { permutationImportance } from './feature-ranking.ts';
import { binFractions } from './histogram.ts';
import { evaluateMassSculpting } from './mass-sculpting.ts';
import { evaluateMultiClass } from './multiclass.ts';
import { effectiveEvents, overtrainingCheck } from './overtraining.ts';
import { evaluateRegression } from './regression.ts';

function gaussianScores(n: number, seed: number, shift: number) {
  const rng = new Rng(seed);
  const labels = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const scores = Float64Array.from(labels, (l) => rng.normal(l ? 1 + shift : shift, 1));
  return { scores, labels };
}

describe('overtrainingCheck', () => {
  it('passes for identically distributed splits and fails for a shifted test split', () => {
    const same = overtrainingCheck(gaussianScores(3000, 1, 0), gaussianScores(3000, 2, 0));
    expect(same.signal.pValue).toBeGreaterThan(0.01);
    expect(same.background.pValue).toBeGreaterThan(0.01);
    const shifted = overtrainingCheck(gaussianScores(3000, 1, 0), gaussianScores(3000, 2, 0.3));
    expect(shifted.signal.pValue).toBeLessThan(1e-6);
    const h = same.histograms;
    expect(h.trainSignal.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(h.edges).toHaveLength(41);
    // Unweighted: the effective numbers of events are the class counts of each split.
    const signalOf = (split: ReturnType<typeof gaussianScores>) => split.labels.reduce((a, l) => a + l, 0);
    expect(same.events?.trainSignal).toBe(signalOf(gaussianScores(3000, 1, 0)));
    expect(same.events?.testBackground).toBe(3000 - signalOf(gaussianScores(3000, 2, 0)));
    // The block is valid for the manifest parser.
    expect(() =>
      parseEvaluation({ split: { train: 1, validation: 1, test: 1 }, overtraining: same }, 'e'),
    ).not.toThrow();
  });
});

describe('effectiveEvents', () => {
  it('is the count for unit weights, (Σw)²/Σw² otherwise, 0 for no events', () => {
    expect(effectiveEvents([1, 1, 1, 1])).toBe(4);
    expect(effectiveEvents([2, 2])).toBe(2);
    expect(effectiveEvents([1, 3])).toBeCloseTo(16 / 10, 12);
    expect(effectiveEvents([])).toBe(0);
  });
});

describe('permutationImportance', () => {
  it('ranks the used input first and gives an unused input exactly zero', () => {
    const { scores, labels } = gaussianScores(2000, 3, 0);
    const rng = new Rng(4);
    const features = new Float32Array(2000 * 2);
    for (let i = 0; i < 2000; i++) {
      features[2 * i] = rng.normal();
      features[2 * i + 1] = scores[i] as number;
    }
    const r = permutationImportance({
      inputs: ['noise', 'score'],
      features,
      n: 2000,
      predict: (f, n) => Float32Array.from({ length: n }, (_, i) => f[2 * i + 1] as number),
      figure: (out) => auc(out, labels),
      metric: 'auc',
      repeats: 2,
      seed: 1,
    });
    expect(r.entries.map((e) => e.input)).toEqual(['score', 'noise']);
    expect(r.entries[0]?.delta).toBeGreaterThan(0.2);
    expect(r.entries[1]?.delta).toBe(0);
    expect(features[1]).toBe(Math.fround(scores[0] as number));
  });
});

describe('evaluateMultiClass', () => {
  it('a perfect softmax gives AUC 1 and a diagonal confusion matrix', () => {
    const labels = [0, 1, 2, 0, 1, 2, 0, 0];
    const probs = new Float32Array(labels.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 0.8 : 0.1))));
    const classes = [
      { name: 'qcd', label: 0, column: 0, output: 'p_qcd', role: 'background' as const },
      { name: 'w', label: 1, column: 1, output: 'p_w', role: 'signal' as const },
      { name: 'top', label: 2, column: 2, output: 'p_top', role: 'signal' as const },
    ];
    const r = evaluateMultiClass(probs, labels, classes);
    expect(r.map((c) => c.auc)).toEqual([1, 1, 1]);
    expect(r.map((c) => c.assigned)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(r[0]?.n).toBe(4);
    expect(r[1]?.rejectionAt50).toBe(4);
    expect(r[0]?.rejectionAt50).toBeUndefined();
  });
});

describe('evaluateMassSculpting', () => {
  it('a mass-correlated score sculpts the background, an independent one does not', () => {
    const rng = new Rng(5);
    const n = 6000;
    const labels = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const mass = Float64Array.from(labels, (l) => (l ? rng.normal(80, 8) : 20 + 200 * rng.uniform()));
    const tag = Float64Array.from(labels, (l) => rng.normal(l ? 1 : 0, 1));
    const independent = evaluateMassSculpting({ mass, scores: tag, labels });
    const correlated = evaluateMassSculpting({
      mass,
      scores: Float64Array.from(mass, (m) => -Math.abs(m - 80)),
      labels,
    });
    const at50 = (r: typeof independent) => r.points.find((p) => p.signalEfficiency === 0.5)?.jsd as number;
    expect(at50(independent)).toBeLessThan(0.02);
    expect(at50(correlated)).toBeGreaterThan(0.3);
    expect(correlated.histograms?.after.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });
});

describe('evaluateRegression', () => {
  it('a model twice as sharp as the standard calibration has rIQR ≈ 0.5 overall and per bin', () => {
    const rng = new Rng(6);
    const n = 20000;
    const eTrue = Float64Array.from({ length: n }, () => 3 * 100 ** rng.uniform());
    const eta = Float64Array.from({ length: n }, () => rng.range(-1.4, 1.4));
    const noise = Float64Array.from({ length: n }, () => rng.normal());
    const eReco = Float64Array.from(eTrue, (e, i) => e * (1 + 0.01 * (noise[i] as number)));
    const eStandard = Float64Array.from(eTrue, (e, i) => e * (0.99 + 0.02 * (noise[i] as number)));
    const { evaluation, metrics } = evaluateRegression({ eReco, eStandard, eTrue, eta });
    expect(metrics.rIqr).toBeCloseTo(0.5, 6);
    expect(metrics.eIqr).toBeCloseTo(0.01, 3);
    expect(metrics.response).toBeCloseTo(1, 3);
    expect(evaluation.overall.standard.response).toBeCloseTo(0.99, 3);
    for (const b of evaluation.bins) expect(b.rIqr).toBeCloseTo(0.5, 6);
    expect(evaluation.bins.filter((b) => b.variable === 'eTrue')).toHaveLength(5);
    expect(() =>
      parseEvaluation({ split: { train: 1, validation: 1, test: 1 }, regression: evaluation }, 'e'),
    ).not.toThrow();
  });
});

describe('binFractions', () => {
  it('counts lo ≤ x < hi and divides by all events, out-of-range included', () => {
    expect(binFractions([0, 0.5, 1, 2, 5], [0, 1, 2])).toEqual([0.4, 0.2]);
  });
});
