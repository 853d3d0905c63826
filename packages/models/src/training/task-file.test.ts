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
});
