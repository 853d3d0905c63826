import { describe, expect, it } from 'vitest';
import { at, concatArrays } from './array.ts';

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

describe('concatArrays', () => {
  it('puts the parts one after the other in the array it is given', () => {
    const bytes = concatArrays([Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)], (n) => new Uint8Array(n));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([1, 2, 3]);
    const floats = concatArrays([Float32Array.of(0.5), [1.5, 2.5]], (n) => new Float32Array(n));
    expect([...floats]).toEqual([0.5, 1.5, 2.5]);
    expect(concatArrays([], (n) => new Uint8Array(n)).length).toBe(0);
  });
});
