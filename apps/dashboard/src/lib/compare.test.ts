import { describe, expect, it } from 'vitest';
import { diffFigures, diffWorkingPoints, signedDelta } from './compare';

describe('diffFigures', () => {
  it('puts every key of any version in its group with the difference to the first', () => {
    const rows = diffFigures([
      { auc: 0.9, epochs: 10, ksPValue: 0.5 },
      { auc: 0.925, epochs: 12, rejectionAt50: 40 },
    ]);
    expect(rows.map((r) => r.key)).toEqual(['auc', 'rejectionAt50', 'ksPValue', 'epochs']);
    const auc = rows[0];
    expect(auc?.label).toBe('AUC');
    expect(auc?.cells).toEqual([
      { value: 0.9, text: '0.9000', delta: null },
      { value: 0.925, text: '0.9250', delta: '+0.0250' },
    ]);
    expect(rows[1]?.cells[0]).toEqual({ value: null, text: '–', delta: null });
    expect(rows[1]?.cells[1]?.delta).toBeNull();
    expect(rows[2]?.cells[1]?.text).toBe('–');
  });

  it('signs differences with a true minus and reads a zero change as ±0', () => {
    expect(signedDelta(-0.5, (v) => v.toFixed(1))).toBe('−0.5');
    expect(signedDelta(0.00001, (v) => v.toFixed(3))).toBe('±0.000');
  });
});

describe('diffWorkingPoints', () => {
  it('lists εS, threshold, εB and 1/εB of each working point across the versions', () => {
    const rows = diffWorkingPoints([
      [{ name: 'tight', signalEfficiency: 0.8, threshold: 0.7, backgroundEfficiency: 0.01 }],
      [
        { name: 'tight', signalEfficiency: 0.8, threshold: 0.65, backgroundEfficiency: 0.008 },
        { name: 'loose', signalEfficiency: 0.95, threshold: 0.2, backgroundEfficiency: 0 },
      ],
    ]);
    expect(rows.map((r) => `${r.workingPoint} ${r.quantity}`)).toEqual([
      'tight εS',
      'tight score threshold',
      'tight εB',
      'tight 1/εB',
      'loose εS',
      'loose score threshold',
      'loose εB',
      'loose 1/εB',
    ]);
    expect(rows[1]?.cells[1]).toEqual({ text: '0.6500', delta: '−0.0500' });
    expect(rows[3]?.cells.map((c) => c.text)).toEqual(['100.0', '125.0']);
    expect(rows[7]?.cells).toEqual([
      { text: '–', delta: null },
      { text: '∞', delta: null },
    ]);
  });
});
