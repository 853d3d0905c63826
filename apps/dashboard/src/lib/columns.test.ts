import { describe, expect, it } from 'vitest';
import { columnsOf, FIGURES, figuresOf } from './columns';

const regression = (unit?: string) => ({
  id: 'nanoaod-jet-response',
  title: 'Jet response',
  kind: 'regression' as const,
  headline: { metric: 'eIqr', label: 'eIQR', higherIsBetter: false },
  description: 'test',
  ...(unit ? { unit } : {}),
});

describe('leaderboard figures by task (issue 18)', () => {
  it('shows the MAE of a regression task in the unit of its target', () => {
    expect(figuresOf(regression('1')).map((f) => f.label)).toEqual(['MAE [1]', 'eIQR', 'rIQR']);
    const labels = columnsOf(regression('1'), []).map((c) => c.label);
    expect(labels).toContain('MAE [1]');
    expect(labels).not.toContain('MAE [GeV]');
  });

  it('keeps GeV for the energy regression and a task that names no unit, and leaves classifiers alone', () => {
    expect(figuresOf(regression('GeV'))).toBe(FIGURES.regression);
    expect(figuresOf(regression())).toBe(FIGURES.regression);
    expect(figuresOf({ kind: 'classifier', unit: 'GeV' })).toBe(FIGURES.classifier);
  });
});
