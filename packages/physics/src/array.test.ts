import { describe, expect, it } from 'vitest';
import { at } from './array.ts';

describe('at: the checked element read', () => {
  it('reads elements of arrays and typed arrays', () => {
    expect(at([3, 4, 5], 2)).toBe(5);
    expect(at(Float64Array.of(0.5, 1.5), 0)).toBe(0.5);
    expect(at(Int32Array.of(-7), 0)).toBe(-7);
  });

  it('throws for an index outside the array instead of giving undefined', () => {
    expect(() => at([1, 2], 2)).toThrow(RangeError);
    expect(() => at(new Float32Array(3), -1)).toThrow(/index -1 is outside 0 … 2/);
    expect(() => at([1, 2], 0.5)).toThrow(RangeError);
    expect(() => at([], 0)).toThrow(RangeError);
  });

  it('passes null elements through (only a missing element is an error)', () => {
    expect(at([null, 1], 0)).toBeNull();
  });
});
