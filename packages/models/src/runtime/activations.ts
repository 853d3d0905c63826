import { at } from '@hepml/physics';
import type { ActivationV1 } from '../bundle/cnn-film.ts';

/**
 * Applies an activation in place to y[o … o+units): relu max(0, x), sigmoid 1/(1+e^−x), tanh,
 * elu (α = 1: x for x ≥ 0, e^x − 1 otherwise), softmax e^(x_j − max)/Σ e^(x_k − max) over the
 * `units` values (the max is subtracted for range safety), linear identity.
 */
export function applyActivation(y: Float32Array, o: number, units: number, act: ActivationV1): void {
  const end = o + units;
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      for (let j = o; j < end; j++) if (at(y, j) < 0) y[j] = 0;
      return;
    case 'sigmoid':
      for (let j = o; j < end; j++) y[j] = 1 / (1 + Math.exp(-at(y, j)));
      return;
    case 'tanh':
      for (let j = o; j < end; j++) y[j] = Math.tanh(at(y, j));
      return;
    case 'elu':
      for (let j = o; j < end; j++) {
        const v = at(y, j);
        if (v < 0) y[j] = Math.expm1(v);
      }
      return;
    case 'softmax': {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = o; j < end; j++) max = Math.max(max, at(y, j));
      let sum = 0;
      for (let j = o; j < end; j++) {
        const e = Math.exp(at(y, j) - max);
        y[j] = e;
        sum += e;
      }
      for (let j = o; j < end; j++) y[j] = at(y, j) / sum;
      return;
    }
  }
}

/** A dense layer with its weights: kernel row-major [fanIn × units], bias [units]. */
export interface DenseWeights {
  fanIn: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
  activation: ActivationV1;
}

/** y[yo … yo+units) = act(b + x[xo … xo+fanIn) · W) for one row. */
export function denseRow(x: Float32Array, xo: number, y: Float32Array, yo: number, l: DenseWeights): void {
  const { fanIn, units, kernel, bias } = l;
  for (let j = 0; j < units; j++) y[yo + j] = at(bias, j);
  for (let i = 0; i < fanIn; i++) {
    const v = at(x, xo + i);
    if (v === 0) continue;
    const ko = i * units;
    for (let j = 0; j < units; j++) y[yo + j] = at(y, yo + j) + v * at(kernel, ko + j);
  }
  applyActivation(y, yo, units, l.activation);
}

/** Copies `count` values of `weights` from `offset.at` and advances it (the caller checks the total). */
export function take(weights: Float32Array, offset: { at: number }, count: number): Float32Array {
  const out = weights.slice(offset.at, offset.at + count);
  offset.at += count;
  return out;
}

/** The next dense layer [fanIn × units] kernel, then [units] bias, of `weights` from `offset.at` (advanced). */
export function takeDense(
  weights: Float32Array,
  offset: { at: number },
  fanIn: number,
  units: number,
  activation: ActivationV1,
): DenseWeights {
  const kernel = take(weights, offset, fanIn * units);
  return { fanIn, units, kernel, bias: take(weights, offset, units), activation };
}
