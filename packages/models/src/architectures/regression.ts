import type * as tf from '@tensorflow/tfjs';
import { buildMlpModel } from './mlp.ts';

/** Arguments of {@link buildRegressionMlpModel}. */
export interface RegressionMlpArgs {
  inputSize: number;
  /** Hidden widths (default [32, 32]). */
  hidden?: number[];
  /** `point`: one output μ (MAE/Huber); `crystal-ball`: μ and σ (Crystal Ball NLL). */
  head: 'point' | 'crystal-ball';
  seed: number;
}

/**
 * Energy-regression MLP on the scalar variables. It predicts the relative correction
 * μ = E_true/E_ref (and, for `crystal-ball`, the relative resolution σ of that ratio); the bundle
 * multiplies both by E_ref. Linear outputs initialised at μ = 1, σ = 0.05, so training starts
 * from the reference energy.
 */
export function buildRegressionMlpModel(args: RegressionMlpArgs): tf.Sequential {
  const cb = args.head === 'crystal-ball';
  return buildMlpModel({
    inputSize: args.inputSize,
    hidden: args.hidden ?? [32, 32],
    outputs: cb ? 2 : 1,
    outputActivation: 'linear',
    outputBias: cb ? [1, 0.05] : [1],
    seed: args.seed,
  });
}
