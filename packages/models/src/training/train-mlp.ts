import type { ColumnarSample } from '@hepml/physics';
import { at, concatArrays } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { buildMlpModel } from '../architectures/mlp.ts';
import { type BundleInputV1, type DenseLayerV1, type InputTransformV1, transformInput } from '../bundle/manifest.ts';
import { inputDescription } from '../input-descriptions.ts';
import { splitIndices } from './samples.ts';

export { buildMlpModel, type MlpArgs } from '../architectures/mlp.ts';
export { splitIndices } from './samples.ts';

/** Layer specs of a tfjs Sequential of dense layers, in the bundle's terms. */
export function denseLayerSpecs(model: tf.LayersModel): DenseLayerV1[] {
  return model.layers.map((layer) => {
    const config = layer.getConfig() as { units: number; activation: string };
    return { type: 'dense', units: config.units, activation: config.activation as DenseLayerV1['activation'] };
  });
}

/** The weights of a dense tfjs model in bundle order (per layer kernel row-major, then bias). */
export function flattenDenseWeights(model: tf.LayersModel): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  return concatArrays(parts, (n) => new Float32Array(n));
}

/** Options of {@link standardisation}. */
export interface StandardisationOptions {
  /** Description of each input by name (default: the reference tasks' {@link inputDescription}). */
  descriptions?: Readonly<Record<string, string>>;
  /** Inputs left as they are (offset 0, scale 1). */
  unscaled?: ReadonlySet<string>;
  /**
   * Transforms by input name, applied before the standardisation (which is then measured on the
   * transformed values) and stored in the bundle, so the runtimes apply them to raw requests.
   */
  transforms?: Readonly<Record<string, InputTransformV1>>;
  /**
   * Robust standardisation: offset the median, scale half the 16–84 % range (σ for a Gaussian),
   * instead of the mean and standard deviation, which a few far tails (Δχ² of 10³ beside a bulk
   * at 0–20) set on their own and which then squeeze the bulk into a sliver of the first layer's
   * range. Falls back to the standard deviation where that range is empty.
   */
  quantile?: boolean;
}

/**
 * Offset and scale per column over the given rows, the bundle's inputs: the mean and standard
 * deviation, or the median and half the 16–84 % range with `quantile`; of t(x) for inputs with a
 * transform.
 */
export function standardisation(
  sample: ColumnarSample,
  names: readonly string[],
  rows: Uint32Array,
  options: StandardisationOptions = {},
): BundleInputV1[] {
  return names.map((name) => {
    const col = sample.columns[name];
    if (!col) throw new Error(`sample has no column "${name}"`);
    const description = options.descriptions?.[name];
    const meta = description === undefined ? inputDescription(name) : { description };
    const unit = sample.units[name] ?? '1';
    if (options.unscaled?.has(name)) return { name, unit, offset: 0, scale: 1, ...meta };
    const transform = options.transforms?.[name];
    const values = Float64Array.from(rows, (r) => transformInput(at(col, r), transform));
    let s = 0;
    let s2 = 0;
    for (const v of values) {
      s += v;
      s2 += v * v;
    }
    const mean = s / values.length;
    const sd = Math.sqrt(Math.max(0, s2 / values.length - mean * mean));
    let offset = mean;
    let scale = sd > 0 ? sd : 1;
    if (options.quantile && values.length > 0) {
      values.sort();
      const q = (p: number) => at(values, Math.min(values.length - 1, Math.floor(p * values.length)));
      offset = q(0.5);
      const half = (q(0.84) - q(0.16)) / 2;
      if (half > 0) scale = half;
    }
    return { name, unit, offset, scale, ...(transform ? { transform } : {}), ...meta };
  });
}

/** Row-major standardised matrix of the chosen rows. */
export function standardisedMatrix(
  sample: ColumnarSample,
  inputs: readonly BundleInputV1[],
  rows: Uint32Array,
): Float32Array {
  const k = inputs.length;
  const out = new Float32Array(rows.length * k);
  inputs.forEach((input, i) => {
    const col = sample.columns[input.name] as Float32Array;
    for (let r = 0; r < rows.length; r++) {
      out[r * k + i] = (transformInput(col[at(rows, r)] as number, input.transform) - input.offset) / input.scale;
    }
  });
  return out;
}

/** Options of {@link trainBinaryMlp}. */
export interface TrainBinaryMlpOptions {
  sample: ColumnarSample;
  inputNames: readonly string[];
  hidden: number[];
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  seed: number;
  /** Called after each epoch with the training and validation loss. */
  onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

/** Result of {@link trainBinaryMlp}. */
export interface TrainedMlp {
  model: tf.Sequential;
  inputs: BundleInputV1[];
  split: { train: Uint32Array; validation: Uint32Array; test: Uint32Array };
  history: { loss: number[]; valLoss: number[] };
}

/**
 * Trains a binary classifier (sigmoid output, binary cross-entropy, Adam) on a columnar sample.
 * Inputs are standardised with the training split's mean and width; the data are shuffled once by
 * the seeded split (tfjs's own shuffle uses Math.random, so it is off), which makes a run
 * reproducible on a given backend.
 */
export async function trainBinaryMlp(options: TrainBinaryMlpOptions): Promise<TrainedMlp> {
  const { sample, inputNames, seed } = options;
  const split = splitIndices(sample.n, seed, { validation: 0.2, test: 0.2 });
  const inputs = standardisation(sample, inputNames, split.train);
  const model = buildMlpModel({
    inputSize: inputs.length,
    hidden: options.hidden,
    outputs: 1,
    outputActivation: 'sigmoid',
    seed,
  });
  model.compile({ optimizer: tf.train.adam(options.learningRate ?? 3e-3), loss: 'binaryCrossentropy' });
  const toTensors = (rows: Uint32Array) => {
    const x = tf.tensor2d(standardisedMatrix(sample, inputs, rows), [rows.length, inputs.length]);
    const y = tf.tensor2d(
      Float32Array.from(rows, (r) => at(sample.label, r)),
      [rows.length, 1],
    );
    return { x, y };
  };
  const train = toTensors(split.train);
  const val = toTensors(split.validation);
  const history = { loss: [] as number[], valLoss: [] as number[] };
  try {
    await model.fit(train.x, train.y, {
      epochs: options.epochs,
      batchSize: options.batchSize ?? 256,
      shuffle: false,
      validationData: [val.x, val.y],
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          const loss = Number(logs?.loss);
          const valLoss = Number(logs?.val_loss);
          history.loss.push(loss);
          history.valLoss.push(valLoss);
          options.onEpoch?.(epoch, loss, valLoss);
        },
      },
    });
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
  }
  return { model, inputs, split, history };
}

/** Scores of a trained tfjs model on raw (unstandardised) rows, for comparisons with the runtime. */
export function predictRaw(model: tf.LayersModel, inputs: readonly BundleInputV1[], raw: Float32Array): Float32Array {
  const k = inputs.length;
  const n = raw.length / k;
  const std = new Float32Array(raw.length);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < k; i++) {
      const input = at(inputs, i);
      std[r * k + i] = (transformInput(at(raw, r * k + i), input.transform) - input.offset) / input.scale;
    }
  }
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d(std, [n, k]), { batchSize: 4096 }) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}
