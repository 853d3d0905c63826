import { at } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import type { CnnLayerV1, DenseLayerV1, MapActivationV1 } from '../bundle/cnn-film.ts';

/** Element-wise activations usable on feature maps. */
export type MapActivation = MapActivationV1;

/** A dense layer of a FiLM generator or of the head. */
export type DenseSpec = DenseLayerV1;

/**
 * One trunk layer on channels-last maps: the bundle's `cnn-film` layer type itself
 * (`bundle/cnn-film.ts`, where each layer's semantics are written down), so a spec list is
 * written into the manifest as is.
 */
export type CnnTrunkLayer = CnnLayerV1;

/** Arguments of {@link buildCnnFilmModel}. */
export interface CnnFilmArgs {
  /** Image shape [H, W, C] (channels last). */
  imageShape: [number, number, number];
  /** Scalar inputs (standardised before they enter). */
  inputSize: number;
  /** GeV: pixels enter as value / imageScale. */
  imageScale: number;
  layers: CnnTrunkLayer[];
  /** Concatenate the standardised scalars to the trunk's feature vector before the head. */
  concatScalars: boolean;
  head: DenseSpec[];
  /** Initial biases of the last head layer (e.g. [1, 0.03] for μ and σ of a relative correction). */
  outputBias?: number[];
  seed: number;
}

/** A built CNN with FiLM, inputs [image, scalars], and the layers whose weights form the bundle file. */
export interface CnnFilmModel {
  model: tf.LayersModel;
  /** tfjs layers in the bundle's weight order (trunk layer by layer, FiLM: hidden, γ, β; then head). */
  weightLayers: tf.layers.Layer[];
}

/**
 * Small trunk for a calorimeter window of about 7 × 11 cells × 4 layers (DeepCalo-like, scaled
 * down for CPU training): conv 3×3 (8) → FiLM → 2×2 max-pool → conv 3×3 (16) → FiLM → flatten.
 * About 40 k multiply-adds per object forward; measured on the wasm backend (one core, batch 1024)
 * about 4.8 k objects/s trained, against 1.5 k for two full-resolution 12-filter convolutions.
 */
export function defaultCaloTrunk(filmHidden = 16): CnnTrunkLayer[] {
  const film: CnnTrunkLayer = { type: 'film', hidden: [{ type: 'dense', units: filmHidden, activation: 'relu' }] };
  const conv = (filters: number): CnnTrunkLayer => ({
    type: 'conv2d',
    filters,
    kernelSize: [3, 3],
    strides: [1, 1],
    padding: 'same',
    useBias: true,
    activation: 'relu',
  });
  return [
    conv(8),
    film,
    { type: 'max-pool', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
    conv(16),
    film,
    { type: 'flatten' },
  ];
}

/**
 * Builds a CNN on the calorimeter image whose feature maps are modulated by the scalars through
 * FiLM, y[i,j,c] = γ_c(s)·x[i,j,c] + β_c(s) (Perez et al., arXiv:1709.07871; as in DeepCalo,
 * F. Faye, MSc thesis, Niels Bohr Institute 2019, github.com/ffaye/deepcalo), then a dense head on the flattened
 * maps (plus the scalars when `concatScalars`). Each FiLM layer has its own generator
 * (hidden dense layers on the standardised scalars, then linear γ and β heads of C units): γ starts
 * at 1 and β at 0 (zero kernels), so training starts from the plain CNN. Kernels are
 * Glorot-uniform with seeds derived from `seed`. Layer semantics and weight order follow the
 * bundle's `cnn-film` schema, so `weightLayers` flattened in order is the weights file.
 */
export function buildCnnFilmModel(args: CnnFilmArgs): CnnFilmModel {
  const [h, w, c] = args.imageShape;
  if (![h, w, c].every((d) => Number.isInteger(d) && d > 0))
    throw new RangeError('imageShape must be 3 positive integers');
  if (!(args.imageScale > 0)) throw new RangeError('imageScale must be positive');
  let seed = args.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const image = tf.input({ shape: [h, w, c], name: 'image' });
  const scalars = tf.input({ shape: [args.inputSize], name: 'scalars' });
  const weightLayers: tf.layers.Layer[] = [];
  let x = tf.layers.rescaling({ scale: 1 / args.imageScale }).apply(image) as tf.SymbolicTensor;
  for (const spec of args.layers) {
    switch (spec.type) {
      case 'conv2d': {
        const layer = tf.layers.conv2d({ ...spec, kernelInitializer: init(), dataFormat: 'channelsLast' });
        x = layer.apply(x) as tf.SymbolicTensor;
        weightLayers.push(layer);
        break;
      }
      case 'batch-norm': {
        const layer = tf.layers.batchNormalization({ axis: -1, epsilon: spec.epsilon });
        x = layer.apply(x) as tf.SymbolicTensor;
        weightLayers.push(layer);
        break;
      }
      case 'activation':
        x = tf.layers.activation({ activation: spec.activation }).apply(x) as tf.SymbolicTensor;
        break;
      case 'max-pool':
      case 'avg-pool': {
        const opts = { poolSize: spec.poolSize, strides: spec.strides, padding: spec.padding };
        const layer = spec.type === 'max-pool' ? tf.layers.maxPooling2d(opts) : tf.layers.averagePooling2d(opts);
        x = layer.apply(x) as tf.SymbolicTensor;
        break;
      }
      case 'film': {
        const channels = x.shape[3] as number;
        let g: tf.SymbolicTensor = scalars;
        for (const d of spec.hidden) {
          const layer = tf.layers.dense({ units: d.units, activation: d.activation, kernelInitializer: init() });
          g = layer.apply(g) as tf.SymbolicTensor;
          weightLayers.push(layer);
        }
        const gamma = tf.layers.dense({ units: channels, kernelInitializer: 'zeros', biasInitializer: 'ones' });
        const beta = tf.layers.dense({ units: channels, kernelInitializer: 'zeros', biasInitializer: 'zeros' });
        weightLayers.push(gamma, beta);
        const g4 = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(gamma.apply(g)) as tf.SymbolicTensor;
        const b4 = tf.layers.reshape({ targetShape: [1, 1, channels] }).apply(beta.apply(g)) as tf.SymbolicTensor;
        x = tf.layers.add().apply([tf.layers.multiply().apply([x, g4]) as tf.SymbolicTensor, b4]) as tf.SymbolicTensor;
        break;
      }
      case 'global-avg-pool':
        x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
        break;
      case 'flatten':
        x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
        break;
    }
  }
  if (x.shape.length !== 2) throw new RangeError('the trunk must end with flatten or global-avg-pool');
  if (args.concatScalars) x = tf.layers.concatenate().apply([x, scalars]) as tf.SymbolicTensor;
  args.head.forEach((d, i) => {
    const last = i === args.head.length - 1;
    const layer = tf.layers.dense({
      units: d.units,
      activation: d.activation,
      kernelInitializer: init(),
      ...(last && args.outputBias ? { biasInitializer: tf.initializers.zeros() } : {}),
    });
    x = layer.apply(x) as tf.SymbolicTensor;
    weightLayers.push(layer);
  });
  const model = tf.model({ inputs: [image, scalars], outputs: x });
  if (args.outputBias) {
    const last = at(weightLayers, weightLayers.length - 1);
    if (args.outputBias.length !== args.head[args.head.length - 1]?.units) {
      throw new RangeError('outputBias length must equal the last head layer units');
    }
    // Zero output kernel: the untrained network returns the bias (μ = 1: the reference energy).
    const [kernel] = last.getWeights() as [tf.Tensor];
    const zeros = tf.zerosLike(kernel);
    const bias = tf.tensor1d(args.outputBias);
    last.setWeights([zeros, bias]);
    tf.dispose([zeros, bias]);
  }
  return { model, weightLayers };
}

/** The weights of `weightLayers` concatenated (per layer, tfjs `getWeights()` order) as float32. */
export function flattenLayerWeights(layers: readonly tf.layers.Layer[]): Float32Array {
  const parts = layers.flatMap((l) => l.getWeights().map((t) => t.dataSync() as Float32Array));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
