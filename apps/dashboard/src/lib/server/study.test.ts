import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { studies, studyView } from './study';

const DOCS = new URL('../../../../../docs/study/', import.meta.url);
const carried = readdirSync(DOCS).filter((f) => f.endsWith('.json'));

const point = (model: string, trainEvents: number, figure: number) => ({
  model,
  kind: model.endsWith('gbdt') ? 'baseline' : 'network',
  events: trainEvents / 0.6,
  trainEvents,
  figure,
  secondary: 1,
  capacity: 10,
  seconds: 1,
});
const file = {
  format: 'hepml-study',
  formatVersion: 1,
  task: 'energy-regression',
  figure: 'eIQR of E_reco/E_true',
  seed: 1,
  backend: 'wasm',
  createdAt: '2026-12-03T00:00:00Z',
  points: [point('a-mlp', 600, 0.03), point('a-gbdt', 600, 0.028), point('a-mlp', 1200, 0.029)],
};

describe('studies (issue 22)', () => {
  it('shows every study carried in docs/study, with its plot', () => {
    const shown = studies();
    expect(shown.map((s) => `${s.task}.json`).sort()).toEqual(carried.sort());
    for (const s of shown) {
      const raw = JSON.parse(readFileSync(new URL(`${s.task}.json`, DOCS), 'utf8'));
      expect(s.rows.flatMap((r) => r.cells.filter((c) => c !== null)).length).toBe(raw.points.length);
      expect(s.svg?.startsWith('<svg')).toBe(true);
    }
  });

  it('lays a curve out as models × training sizes, a missing point as null', () => {
    const v = studyView('x.json', file, '<svg/>');
    expect(v.trainEvents).toEqual([600, 1200]);
    expect(v.rows).toEqual([
      { model: 'a-mlp', kind: 'network', cells: [{ figure: 0.03 }, { figure: 0.029 }] },
      { model: 'a-gbdt', kind: 'baseline', cells: [{ figure: 0.028 }, null] },
    ]);
  });

  it('refuses a malformed file naming it and the field', () => {
    const bad = { ...file, points: [{ ...file.points[0], figure: 'x' }] };
    expect(() => studyView('docs/study/bad.json', bad, null)).toThrow(/^docs\/study\/bad\.json: points\.0\.figure: /);
  });
});
