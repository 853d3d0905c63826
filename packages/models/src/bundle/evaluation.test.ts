import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import { type EvaluationV1, parseEvaluation } from './evaluation.ts';

type Full = Required<EvaluationV1>;
type Json = Record<string, unknown>;

function at<T>(xs: T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

function full(): Full {
  return {
    split: { train: 600, validation: 200, test: 200 },
    reference: 'p_w',
    overtraining: {
      signal: { statistic: 0.04, pValue: 0.7 },
      background: { statistic: 0.05, pValue: 0.5 },
      histograms: {
        edges: [0, 0.5, 1],
        trainSignal: [0.2, 0.8],
        testSignal: [0.25, 0.75],
        trainBackground: [0.9, 0.1],
        testBackground: [0.85, 0.15],
      },
    },
    featureRanking: {
      metric: 'auc',
      repeats: 2,
      entries: [
        { input: 'mass', delta: 0.2, error: 0.01 },
        { input: 'tau21', delta: 0.05, error: 0.002 },
      ],
    },
    classes: [
      { name: 'qcd', output: 'p_qcd', role: 'background', n: 70, auc: 0.9, assigned: [0.8, 0.1, 0.1] },
      { name: 'w', output: 'p_w', role: 'signal', n: 65, auc: 0.93, rejectionAt50: 40, assigned: [0.1, 0.8, 0.1] },
      { name: 'top', output: 'p_top', role: 'signal', n: 65, auc: 0.95, rejectionAt50: 60, assigned: [0.1, 0.1, 0.8] },
    ],
    massSculpting: {
      variable: 'mass',
      unit: 'GeV',
      points: [{ signalEfficiency: 0.5, threshold: 0.6, backgroundEfficiency: 0.03, jsd: 0.12 }],
      histograms: { edges: [0, 100, 200], before: [0.6, 0.4], after: [0.3, 0.7] },
    },
    regression: {
      target: 'eTrue',
      unit: 'GeV',
      overall: {
        n: 200,
        model: { mae: 1.2, eIqr: 0.02, response: 1.001 },
        standard: { mae: 1.5, eIqr: 0.025, response: 0.998 },
        rIqr: 0.8,
      },
      bins: [
        {
          variable: 'eTrue',
          unit: 'GeV',
          lo: 0,
          hi: 100,
          n: 120,
          model: { mae: 1, eIqr: 0.03, response: 1 },
          standard: { mae: 1.2, eIqr: 0.035, response: 0.99 },
          rIqr: 0.857,
        },
      ],
      response: { edges: [0.9, 1, 1.1], model: [0.5, 0.5], standard: [0.45, 0.55] },
    },
  };
}

function fieldOf(value: unknown): string | undefined {
  try {
    parseEvaluation(value, 'evaluation');
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return (err as BundleError).field;
  }
  return undefined;
}

describe('parseEvaluation', () => {
  it('round-trips a complete block through JSON unchanged', () => {
    const e = full();
    expect(parseEvaluation(JSON.parse(JSON.stringify(e)), 'evaluation')).toEqual(e);
  });

  it('accepts the minimal block (split only)', () => {
    expect(parseEvaluation({ split: { train: 1, validation: 0, test: 1 } }, 'evaluation')).toEqual({
      split: { train: 1, validation: 0, test: 1 },
    });
  });

  it('names the JSON path of each violation', () => {
    const cases: [(e: Full) => void, string][] = [
      [(e) => Object.assign(e as unknown as Json, { extra: 1 }), 'evaluation.extra'],
      [(e) => Object.assign(e.split, { train: -1 }), 'evaluation.split.train'],
      [(e) => Object.assign(e.overtraining.signal, { pValue: 1.5 }), 'evaluation.overtraining.signal.pValue'],
      [(e) => e.overtraining.histograms.testBackground.pop(), 'evaluation.overtraining.histograms.testBackground'],
      [
        (e) => Object.assign(e.overtraining.histograms, { edges: [0, 0] }),
        'evaluation.overtraining.histograms.edges[1]',
      ],
      [
        (e) => Object.assign(at(e.featureRanking.entries, 1), { delta: 0.5 }),
        'evaluation.featureRanking.entries[1].delta',
      ],
      [(e) => Object.assign(e.featureRanking, { metric: 'gini' }), 'evaluation.featureRanking.metric'],
      [(e) => Object.assign(at(e.classes, 0), { rejectionAt50: 3 }), 'evaluation.classes[0].rejectionAt50'],
      [(e) => at(e.classes, 2).assigned.pop(), 'evaluation.classes[2].assigned'],
      [
        (e) => Object.assign(at(e.massSculpting.points, 0), { jsd: Number.NaN }),
        'evaluation.massSculpting.points[0].jsd',
      ],
      [(e) => Object.assign(at(e.regression.bins, 0), { hi: 0 }), 'evaluation.regression.bins[0].hi'],
      [(e) => Object.assign(e.regression.overall.model, { mae: -1 }), 'evaluation.regression.overall.model.mae'],
      [(e) => Object.assign(e.regression.response, { model: [0.5, -0.1] }), 'evaluation.regression.response.model[1]'],
    ];
    for (const [mutate, field] of cases) {
      const e = full();
      mutate(e);
      expect(fieldOf(e), field).toBe(field);
    }
  });
});
