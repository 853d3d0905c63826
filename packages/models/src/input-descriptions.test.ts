import {
  B_TAGGING_VARIABLES,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  ELECTRON_ID_VARIABLES,
} from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { INPUT_DESCRIPTIONS, inputDescription } from './input-descriptions.ts';
import { REFERENCE_TASKS } from './tasks/reference.ts';

describe('INPUT_DESCRIPTIONS (issue 23)', () => {
  it('describes every input variable of the four reference tasks', () => {
    const names = [ELECTRON_ID_VARIABLES, B_TAGGING_VARIABLES, BOOSTED_JET_VARIABLES, CALO_SHOWER_VARIABLES].flatMap(
      (v) => Object.keys(v),
    );
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((n) => !INPUT_DESCRIPTIONS[n])).toEqual([]);
  });
  it('a name shared by reference tasks means the same in each task file (issue 18)', () => {
    const seen = new Map<string, string>();
    for (const task of REFERENCE_TASKS) {
      for (const input of task.inputs) {
        expect([task.name, input.name, seen.get(input.name) ?? input.description]).toEqual([
          task.name,
          input.name,
          input.description,
        ]);
        seen.set(input.name, input.description);
      }
    }
  });
  it('spreads a known description and nothing for an unknown name', () => {
    expect(inputDescription('reta')).toEqual({ description: 'E(3 × 7)/E(7 × 7) in the second EM layer, in η' });
    expect(inputDescription('noSuchVariable')).toEqual({});
  });
});
