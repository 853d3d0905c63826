import { at } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';

/** Activations the bundle format can carry for dense layers. */
export type DenseActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'softmax';

/** Arguments of {@link buildMlpModel}. */
export interface MlpArgs {
  inputSize: number;
  /** Hidden layer widths, e.g. [32, 16]. */
  hidden: number[];
  /** Output units (1 for a binary tagger). */
  outputs: number;
  outputActivation: DenseActivation;
  hiddenActivation?: 'relu' | 'tanh' | 'elu' | 'sigmoid';
  /** Initial output biases (e.g. 1 for a multiplicative energy correction), length `outputs`; the output kernel then starts at zero. */
  outputBias?: number[];
  seed: number;
}

/**
 * A fully connected network x → act(x·W₁ + b₁) → … → outAct(h·Wₖ + bₖ), Glorot-uniform kernels
 * seeded per layer (seed + layer index; the output layer seed + 1000) so a run is reproducible,
 * zero biases unless `outputBias` says otherwise. Maps 1:1 onto the bundle's `mlp` architecture.
 */
export function buildMlpModel(args: MlpArgs): tf.Sequential {
  if (!Number.isInteger(args.inputSize) || args.inputSize <= 0)
    throw new RangeError('inputSize must be a positive integer');
  if (args.outputBias && args.outputBias.length !== args.outputs) {
    throw new RangeError(`outputBias has ${args.outputBias.length} entries, outputs is ${args.outputs}`);
  }
  const model = tf.sequential();
  const act = args.hiddenActivation ?? 'relu';
  args.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: act,
        kernelInitializer: tf.initializers.glorotUniform({ seed: args.seed + i }),
        ...(i === 0 ? { inputShape: [args.inputSize] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: args.outputs,
      activation: args.outputActivation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: args.seed + 1000 }),
      ...(args.hidden.length === 0 ? { inputShape: [args.inputSize] } : {}),
    }),
  );
  if (args.outputBias) {
    const last = at(model.layers, model.layers.length - 1);
    // A zero output kernel makes the untrained network return exactly the bias (e.g. μ = 1: the
    // reference energy), so training starts from the reference instead of from noise.
    const [kernel] = last.getWeights() as [tf.Tensor, tf.Tensor];
    const zeros = tf.zerosLike(kernel);
    const bias = tf.tensor1d(args.outputBias);
    last.setWeights([zeros, bias]);
    tf.dispose([zeros, bias]);
  }
  return model;
}
