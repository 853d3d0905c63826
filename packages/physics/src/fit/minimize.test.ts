import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { minimize } from './minimize.ts';

describe('minimize', () => {
  it('finds the minimum of the Rosenbrock function at (1, 1) from (−1.2, 1)', () => {
    const rosenbrock = (x: Float64Array) =>
      100 * ((x[1] as number) - (x[0] as number) ** 2) ** 2 + (1 - (x[0] as number)) ** 2;
    const r = minimize(rosenbrock, [-1.2, 1], { step: [0.5, 0.5], edmTolerance: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('minimises a correlated quadratic in 5 dimensions exactly', () => {
    const centre = [1, -2, 3, 0.5, 10];
    const f = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < 5; i++) {
        const di = (x[i] as number) - (centre[i] as number);
        s += (i + 1) * di * di;
        if (i > 0) s += 0.5 * di * ((x[i - 1] as number) - (centre[i - 1] as number));
      }
      return s;
    };
    const r = minimize(f, [0, 0, 0, 0, 0]);
    expect(r.converged).toBe(true);
    for (let i = 0; i < 5; i++) expect(r.x[i]).toBeCloseTo(centre[i] as number, 4);
  });

  it('respects bounds: the constrained minimum of (x − 3)² on [0, 2] is at the bound 2', () => {
    const r = minimize((x) => ((x[0] as number) - 3) ** 2, [1], { lower: [0], upper: [2] });
    expect(r.x[0]).toBeGreaterThan(1.99);
    expect(r.x[0]).toBeLessThanOrEqual(2);
  });

  it('finds an interior minimum with one-sided bounds', () => {
    const r = minimize((x) => ((x[0] as number) - 5) ** 2 + ((x[1] as number) + 4) ** 2, [1, -1], {
      lower: [0, Number.NEGATIVE_INFINITY],
      upper: [Number.POSITIVE_INFINITY, 0],
    });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(5, 5);
    expect(r.x[1]).toBeCloseTo(-4, 5);
  });

  it('reports, rather than hides, a function without a minimum', () => {
    const r = minimize((x) => -((x[0] as number) ** 2), [0.3], { maxCalls: 2000 });
    expect(r.converged).toBe(false);
  });

  it('rejects a start outside the bounds', () => {
    expect(() => minimize((x) => x[0] as number, [5], { lower: [0], upper: [1] })).toThrow(PhysicsInputError);
  });
});
