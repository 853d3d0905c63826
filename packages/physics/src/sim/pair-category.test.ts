import { describe, expect, it } from 'vitest';
import { PAIR_CATEGORY, pairCategory } from './pair-category.ts';

describe('pairCategory', () => {
  it('gives fakes, then continuum, then Z along the uniform draw', () => {
    expect([0, 0.2499, 0.25, 0.4999, 0.5, 0.99].map((u) => pairCategory(u, 0.25, 0.25))).toEqual([
      PAIR_CATEGORY.fake,
      PAIR_CATEGORY.fake,
      PAIR_CATEGORY.continuum,
      PAIR_CATEGORY.continuum,
      PAIR_CATEGORY.z,
      PAIR_CATEGORY.z,
    ]);
    expect(pairCategory(0.999, 1, 0)).toBe(PAIR_CATEGORY.fake);
    expect(pairCategory(0, 0, 0)).toBe(PAIR_CATEGORY.z);
  });
});
