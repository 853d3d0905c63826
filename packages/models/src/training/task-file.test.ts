import { type Dataset, Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.ts';
import { parseTaskFile } from '../tasks/task-v1.ts';
import { taskSample, trainTaskFile } from './task-file.ts';

/** Objects with a Gaussian x shifted for flavour 1 (signal) against 0 and 3, and a text column. */
function objects(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const flav = new Int32Array(n);
  const x = new Float32Array(n);
  const pt = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    flav[i] = [1, 0, 3][i % 3] as number;
    x[i] = rng.normal() + (flav[i] === 1 ? 2 : 0);
    pt[i] = 5 + 40 * rng.uniform();
  }
  pt[7] = Number.NaN;
  return { name: 'objects.csv', n, columns: { flav, x, pt, kind: Array.from({ length: n }, () => 'a') }, units: {} };
}

const task = (extra: Record<string, unknown> = {}) =>
  parseTaskFile({
    format: 'hepml-task',
    formatVersion: 1,
    name: 'toy',
    title: 'Toy objects',
    description: 'flavour 1 against 0 and 3 by x',
    kind: 'binary',
    inputs: [
      { name: 'x', unit: '1', description: 'the separating variable' },
      { name: 'logPt', expression: 'log(pt)', unit: '1', description: 'ln(pt/GeV)' },
    ],
    label: { column: 'flav', signal: [1] },
    selection: 'pt > 10',
    seed: 3,
    data: { source: 'files' },
    workingPoints: [{ name: 'wp70', signalEfficiency: 0.7 }],
    training: { epochs: 40, hidden: [8], trees: 10 },
    ...extra,
  });

describe('task files on data (issue 18)', () => {
  it('takes the selected rows, computes expression inputs and the label, and counts what it left out', () => {
    const ds = objects(300, 1);
    const { sample, counts } = taskSample(task(), ds);
    const pt = ds.columns.pt as Float32Array;
    const passing = Array.from(pt).filter((v) => v > 10).length;
    expect(counts).toEqual({ rows: 300, selected: passing, unlabelled: 0, nonFinite: 0, kept: passing });
    const first = Array.from(pt).findIndex((v) => v > 10);
    expect(sample.columns.logPt?.[0]).toBeCloseTo(Math.log(pt[first] as number), 5);
    expect(sample.label[0]).toBe((ds.columns.flav as Int32Array)[first] === 1 ? 1 : 0);
    expect(sample.units).toEqual({ x: '1', logPt: '1' });
  });

  it('leaves out label values of no class when background values are given', () => {
    const t = task({ label: { column: 'flav', signal: [1], background: [0] }, selection: undefined });
    const { counts, sample } = taskSample(t, objects(300, 1));
    expect(counts.unlabelled).toBe(100);
    expect(counts.nonFinite).toBe(1);
    expect(sample.n).toBe(199);
  });

  it('names the unknown column and the field that reads it', () => {
    const t = task({ inputs: [{ name: 'y', unit: '1', description: 'absent' }] });
    expect(() => taskSample(t, objects(30, 1))).toThrow(ModelInputError);
    expect(() => taskSample(t, objects(30, 1))).toThrow(/^objects\.csv: inputs\[0\]: unknown column y/);
  });

  it('trains the MLP, cuts, likelihood and GBDT with the task working points', async () => {
    const t = task();
    const entries = await trainTaskFile({ task: t, data: taskSample(t, objects(900, 2)), backend: 'cpu' });
    expect(entries.map((e) => e.name)).toEqual(['toy-mlp', 'toy-cuts', 'toy-likelihood', 'toy-gbdt']);
    for (const e of entries) {
      expect(e.bundle.manifest.task).toBe('toy');
      expect(e.bundle.manifest.workingPoints.map((w) => w.name)).toEqual(['wp70']);
      // x separates by two standard deviations: AUC ≈ Φ(2/√2) = 0.92.
      expect(e.bundle.manifest.metrics.auc).toBeGreaterThan(0.8);
    }
    const mlp = entries[0]?.bundle.manifest;
    expect(mlp?.inputs.map((i) => [i.name, i.description])).toEqual([
      ['x', 'the separating variable'],
      ['logPt', 'ln(pt/GeV)'],
    ]);
  }, 60_000);

  it('trains a regression task file: MLP and GBDT on the target, one value output, rIQR against the baseline', async () => {
    // y = 3·x + 10 + noise(σ = 0.3) [GeV]; the baseline 3·x + 10 + noise(σ = 1) knows the trend with more noise.
    const n = 900;
    const rng = new Rng(5);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const guess = new Float32Array(n);
    const eta = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = 4 * rng.uniform();
      y[i] = 3 * (x[i] as number) + 10 + 0.3 * rng.normal();
      guess[i] = 3 * (x[i] as number) + 10 + rng.normal();
      eta[i] = 2.4 * (2 * rng.uniform() - 1);
    }
    const ds: Dataset = { name: 'toy.csv', n, columns: { x, y, guess, eta }, units: {} };
    const t = parseTaskFile({
      format: 'hepml-task',
      formatVersion: 1,
      name: 'toy-reg',
      title: 'Toy regression',
      description: 'y from x',
      kind: 'regression',
      inputs: [{ name: 'x', unit: '1', description: 'the variable' }],
      target: { column: 'y', unit: 'GeV', baseline: 'guess' },
      object: { pt: 'y', eta: 'eta' },
      seed: 4,
      data: { source: 'files' },
      training: { epochs: 80, hidden: [16], trees: 40 },
    });
    const data = taskSample(t, ds);
    expect(Array.from(data.sample.truth.baseline ?? []).slice(0, 3)).toEqual(Array.from(guess.subarray(0, 3)));
    const entries = await trainTaskFile({ task: t, data, backend: 'cpu' });
    expect(entries.map((e) => e.name)).toEqual(['toy-reg-mlp', 'toy-reg-gbdt']);
    for (const e of entries) {
      const m = e.bundle.manifest;
      expect(m.outputs).toEqual([{ name: 'y', kind: 'value', unit: 'GeV' }]);
      expect(m.evaluation?.regression?.target).toBe('y');
      expect(m.evaluation?.regression?.unit).toBe('GeV');
      // The baseline's MAE is σ·√(2/π) ≈ 0.80 GeV; the models come near the noise floor 0.3·√(2/π) = 0.24 GeV.
      expect(m.metrics.maeStandard).toBeGreaterThan(0.65);
      expect(m.metrics.mae).toBeLessThan(0.35);
      expect(m.metrics.rIqr).toBeLessThan(0.5);
      expect(m.evaluation?.regression?.bins.every((b) => b.variable === 'absEta')).toBe(true);
    }
  }, 60_000);
});
