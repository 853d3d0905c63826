import { describe, expect, it } from 'vitest';
import { choleskyFactor, invertPositiveDefinite, matrixVector, solvePositiveDefinite } from './linear-algebra.ts';

// A = [[4, 12, −16], [12, 37, −43], [−16, −43, 98]]: the textbook Cholesky example,
// L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]] (Golub & Van Loan; also Wikipedia "Cholesky decomposition").
const A = [
  [4, 12, -16],
  [12, 37, -43],
  [-16, -43, 98],
];

describe('linear algebra for fits', () => {
  it('factors the textbook matrix exactly', () => {
    expect(choleskyFactor(A)).toEqual([
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
  });

  it('solves A·x = b (row-major) and agrees with the inverse; refuses a matrix that is not positive definite', () => {
    const x = [1, -2, 0.5];
    const b = matrixVector(A, x);
    const solved = solvePositiveDefinite(Float64Array.from(A.flat()), b, 3);
    for (let i = 0; i < 3; i++) expect(solved?.[i]).toBeCloseTo(x[i] as number, 10);
    const inv = invertPositiveDefinite(A);
    const viaInverse = inv ? matrixVector(inv, b) : [];
    for (let i = 0; i < 3; i++) expect(viaInverse[i]).toBeCloseTo(x[i] as number, 10);
    // The input is left unchanged.
    const flat = Float64Array.from(A.flat());
    solvePositiveDefinite(flat, b, 3);
    expect(Array.from(flat)).toEqual(A.flat());
    expect(solvePositiveDefinite([1, 2, 2, 1], [1, 1], 2)).toBeNull();
    expect(solvePositiveDefinite([0, 0, 0, 0], [1, 1], 2)).toBeNull();
  });
});
