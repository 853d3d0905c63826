import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from './axis.ts';
import { Hist3D } from './hist-3d.ts';

describe('Hist3D', () => {
  it('fills a 3D histogram cell by cell, with flows on every axis', () => {
    const h3 = new Hist3D(Axis.regular(2, 0, 2), Axis.regular(3, 0, 3), Axis.variable([0, 10, 100]));
    h3.fill(0.5, 2.5, 50, 2);
    h3.fill(0.5, 2.5, 50);
    h3.fill(-1, 1, 1000);
    h3.fillArrays([1.5], [0.1], [5], [4]);
    expect(h3.content(1, 3, 2)).toBe(3);
    expect(h3.variance(1, 3, 2)).toBe(5);
    expect(h3.content(0, 2, 3)).toBe(1);
    expect(h3.content(2, 1, 1)).toBe(4);
    expect(h3.sumOfWeights()).toBe(7);
    expect(h3.sumOfWeights(true)).toBe(8);
    const r = h3.rebin(2, undefined, [0, 100]);
    expect(r.content(1, 3, 1)).toBe(3);
    expect(r.content(1, 1, 1)).toBe(4);
    expect(() => h3.fill(Number.NaN, 0, 0)).toThrow(PhysicsInputError);
  });
});
