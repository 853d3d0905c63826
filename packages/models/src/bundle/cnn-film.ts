import { bool, fail, intPair, noExtraKeys, num, oneOf, positiveInt, record, str } from './json.ts';

/** Activation of a dense layer. `softmax` is over the layer's units. */
export type ActivationV1 = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'softmax';

/** Activations usable element-wise on feature maps (all but softmax). */
export type MapActivationV1 = Exclude<ActivationV1, 'softmax'>;

/** A dense layer: y = activation(x · W + b), W stored row-major [inputs × units]. */
export interface DenseLayerV1 {
  type: 'dense';
  units: number;
  activation: ActivationV1;
}

/**
 * One layer of the image trunk of a `cnn-film` network, on channels-last feature maps [H, W, C].
 * Each maps one-to-one onto a tfjs layer (Keras semantics):
 * - `conv2d` (tf.layers.conv2d, dataFormat channelsLast, dilation 1): y[i,j,o] = act(b[o] +
 *   Σ_{u,v,c} x[i·sh + u − pt, j·sw + v − pl, c] · K[u,v,c,o]); `valid`: no padding,
 *   out = floor((in − k)/s) + 1; `same`: out = ceil(in/s), total padding max((out−1)·s + k − in, 0)
 *   of which floor(total/2) before (top/left), zeros.
 * - `batch-norm` (tf.layers.batchNormalization, axis −1, center and scale): inference form
 *   y = γ·(x − mean)/√(var + ε) + β per channel; folded into a per-channel affine at build time.
 * - `activation`: element-wise.
 * - `max-pool` / `avg-pool` (tf.layers.maxPooling2d / averagePooling2d): windows as conv2d; with
 *   `same` padding the padded cells are ignored (the average is over the cells inside the map).
 * - `film` (feature-wise linear modulation, Perez et al., arXiv:1709.07871): a small dense net on
 *   the standardised scalar inputs, `hidden` layers then two linear heads γ = h·Wγ + bγ and
 *   β = h·Wβ + bβ of C units each; y[i,j,c] = γ[c]·x[i,j,c] + β[c]. In tfjs: Dense layers on the
 *   scalar input, Reshape([1,1,C]) and `multiply`/`add` merge layers (they broadcast).
 * - `global-avg-pool` (tf.layers.globalAveragePooling2d): mean over H × W → [C].
 * - `flatten` (tf.layers.flatten): row-major H, W, C → [H·W·C].
 */
export type CnnLayerV1 =
  | {
      type: 'conv2d';
      filters: number;
      kernelSize: [number, number];
      strides: [number, number];
      padding: 'same' | 'valid';
      useBias: boolean;
      activation: MapActivationV1;
    }
  | { type: 'batch-norm'; epsilon: number }
  | { type: 'activation'; activation: MapActivationV1 }
  | { type: 'max-pool' | 'avg-pool'; poolSize: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { type: 'film'; hidden: DenseLayerV1[] }
  | { type: 'global-avg-pool' }
  | { type: 'flatten' };

/**
 * A convolutional network on the calorimeter image whose feature maps are modulated by the scalar
 * inputs through FiLM (as in DeepCalo), then a dense head.
 *
 * Inputs: the image (manifest `image`, HWC float32, GeV) enters as pixel / `imageScale` (GeV);
 * the scalars are standardised (x − offset)/scale as for an MLP. The trunk `layers` runs on the
 * image and must end with `flatten` or `global-avg-pool`; the head's input is that vector,
 * followed by the standardised scalars when `concatScalars` (tf.layers.concatenate([features,
 * scalars])). The head's last layer has one unit per manifest output. When `outputScale` names a
 * scalar input, every output is multiplied by that input's raw value (e.g. E = E_raw · μ̂,
 * σ = E_raw · σ̂_rel, in GeV).
 *
 * Weights file (float32 little-endian), concatenated in this order:
 * 1. for each trunk layer in order —
 *    `conv2d`: kernel [kh][kw][cin][filters] (tfjs layout), then bias [filters] if `useBias`;
 *    `batch-norm`: gamma [C], beta [C], movingMean [C], movingVariance [C];
 *    `film`: per hidden layer kernel [in × units] then bias [units] (in = inputSize for the first),
 *    then γ kernel [h × C], γ bias [C], β kernel [h × C], β bias [C] (h = last hidden width, or
 *    inputSize when there is no hidden layer);
 *    other layers: nothing.
 * 2. for each head layer: kernel [in × units] (row-major), bias [units].
 * These are the arrays of tfjs `layer.getWeights()` for each corresponding layer, in order.
 */
export interface CnnFilmArchitectureV1 {
  kind: 'cnn-film';
  /** Scalar inputs (= manifest.inputs.length). */
  inputSize: number;
  /** GeV: the image enters the network as pixel / imageScale. */
  imageScale: number;
  layers: CnnLayerV1[];
  concatScalars: boolean;
  head: DenseLayerV1[];
  /** Name of a scalar input (raw units) that multiplies every output. */
  outputScale?: string;
  parameters: number;
}

/** Shape [H, W, C] of a feature map, or [n] of a vector. */
export type FeatureShape = [number, number, number] | [number];

/** One trunk layer with its input and output shapes and its number of parameters. */
export interface CnnLayerPlan {
  layer: CnnLayerV1;
  input: FeatureShape;
  output: FeatureShape;
  parameters: number;
}

/** Output size of a window op along one axis (Keras/TensorFlow conventions) and the padding before. */
export function windowGeometry(
  size: number,
  kernel: number,
  stride: number,
  padding: 'same' | 'valid',
): { out: number; padBefore: number } {
  if (padding === 'valid') return { out: size >= kernel ? Math.floor((size - kernel) / stride) + 1 : 0, padBefore: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

/** Number of parameters of a dense chain with fan-in `inputSize`; returns it and the output width. */
export function denseChainSize(
  inputSize: number,
  layers: readonly DenseLayerV1[],
): { parameters: number; units: number } {
  let parameters = 0;
  let fanIn = inputSize;
  for (const l of layers) {
    parameters += fanIn * l.units + l.units;
    fanIn = l.units;
  }
  return { parameters, units: fanIn };
}

/**
 * Walks the trunk from the image shape: each layer's input and output shape and parameter count.
 * A layer that does not fit (a window larger than the map, a 2-D op on a vector, a trunk not
 * ending in a vector) is a BundleError naming `architecture.layers[i]`.
 */
export function planCnnTrunk(
  imageShape: readonly [number, number, number],
  inputSize: number,
  layers: readonly CnnLayerV1[],
): { plans: CnnLayerPlan[]; features: number } {
  let shape: FeatureShape = [imageShape[0], imageShape[1], imageShape[2]];
  const plans: CnnLayerPlan[] = [];
  for (const [i, layer] of layers.entries()) {
    const f = `architecture.layers[${i}]`;
    if (shape.length !== 3) fail(f, `"${layer.type}" needs a feature map but follows a flatten/global-avg-pool`);
    const [h, w, c]: [number, number, number] = shape;
    let output: FeatureShape = shape;
    let parameters = 0;
    switch (layer.type) {
      case 'conv2d':
      case 'max-pool':
      case 'avg-pool': {
        const [kh, kw] = layer.type === 'conv2d' ? layer.kernelSize : layer.poolSize;
        const gh = windowGeometry(h, kh, layer.strides[0], layer.padding);
        const gw = windowGeometry(w, kw, layer.strides[1], layer.padding);
        if (gh.out <= 0 || gw.out <= 0) fail(f, `window ${kh}×${kw} does not fit the ${h}×${w} map`);
        if (layer.type === 'conv2d') {
          output = [gh.out, gw.out, layer.filters];
          parameters = kh * kw * c * layer.filters + (layer.useBias ? layer.filters : 0);
        } else {
          output = [gh.out, gw.out, c];
        }
        break;
      }
      case 'batch-norm':
        parameters = 4 * c;
        break;
      case 'film': {
        const hidden = denseChainSize(inputSize, layer.hidden);
        parameters = hidden.parameters + 2 * (hidden.units * c + c);
        break;
      }
      case 'global-avg-pool':
        output = [c];
        break;
      case 'flatten':
        output = [h * w * c];
        break;
      case 'activation':
        break;
    }
    plans.push({ layer, input: shape, output, parameters });
    shape = output;
  }
  if (shape.length !== 1) fail('architecture.layers', 'must end with "flatten" or "global-avg-pool"');
  return { plans, features: shape[0] };
}

/** Total parameters of a cnn-film network (trunk, FiLM generators and head). */
export function cnnFilmParameterCount(
  imageShape: readonly [number, number, number],
  arch: Omit<CnnFilmArchitectureV1, 'parameters' | 'kind'>,
): number {
  const { plans, features } = planCnnTrunk(imageShape, arch.inputSize, arch.layers);
  const trunk = plans.reduce((s, p) => s + p.parameters, 0);
  return trunk + denseChainSize(features + (arch.concatScalars ? arch.inputSize : 0), arch.head).parameters;
}

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'softmax'] as const;
const MAP_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu'] as const;
const PADDINGS = ['same', 'valid'] as const;

/** Parses one dense layer `{type: 'dense', units, activation}` strictly. */
export function parseDenseLayer(raw: unknown, f: string): DenseLayerV1 {
  const r = record(raw, f);
  noExtraKeys(r, ['type', 'units', 'activation'], f);
  if (r.type !== 'dense') fail(`${f}.type`, 'must be "dense"');
  return {
    type: 'dense',
    units: positiveInt(r.units, `${f}.units`),
    activation: oneOf(r.activation, ACTIVATIONS, `${f}.activation`),
  };
}

/** Parses a non-empty (unless `allowEmpty`) array of dense layers. */
export function parseDenseLayers(raw: unknown, f: string, allowEmpty = false): DenseLayerV1[] {
  if (!Array.isArray(raw) || (!allowEmpty && raw.length === 0)) {
    fail(f, allowEmpty ? 'must be an array' : 'must be a non-empty array');
  }
  return raw.map((l, i) => parseDenseLayer(l, `${f}[${i}]`));
}

function parseCnnLayer(raw: unknown, f: string): CnnLayerV1 {
  const r = record(raw, f);
  const type = oneOf(
    r.type,
    ['conv2d', 'batch-norm', 'activation', 'max-pool', 'avg-pool', 'film', 'global-avg-pool', 'flatten'] as const,
    `${f}.type`,
  );
  switch (type) {
    case 'conv2d':
      noExtraKeys(r, ['type', 'filters', 'kernelSize', 'strides', 'padding', 'useBias', 'activation'], f);
      return {
        type,
        filters: positiveInt(r.filters, `${f}.filters`),
        kernelSize: intPair(r.kernelSize, `${f}.kernelSize`),
        strides: intPair(r.strides, `${f}.strides`),
        padding: oneOf(r.padding, PADDINGS, `${f}.padding`),
        useBias: bool(r.useBias, `${f}.useBias`),
        activation: oneOf(r.activation, MAP_ACTIVATIONS, `${f}.activation`),
      };
    case 'batch-norm': {
      noExtraKeys(r, ['type', 'epsilon'], f);
      const epsilon = num(r.epsilon, `${f}.epsilon`);
      if (epsilon <= 0) fail(`${f}.epsilon`, 'must be positive');
      return { type, epsilon };
    }
    case 'activation':
      noExtraKeys(r, ['type', 'activation'], f);
      return { type, activation: oneOf(r.activation, MAP_ACTIVATIONS, `${f}.activation`) };
    case 'max-pool':
    case 'avg-pool':
      noExtraKeys(r, ['type', 'poolSize', 'strides', 'padding'], f);
      return {
        type,
        poolSize: intPair(r.poolSize, `${f}.poolSize`),
        strides: intPair(r.strides, `${f}.strides`),
        padding: oneOf(r.padding, PADDINGS, `${f}.padding`),
      };
    case 'film': {
      noExtraKeys(r, ['type', 'hidden'], f);
      const hidden = parseDenseLayers(r.hidden, `${f}.hidden`, true);
      return { type, hidden };
    }
    case 'global-avg-pool':
    case 'flatten':
      noExtraKeys(r, ['type'], f);
      return { type };
  }
}

/**
 * Validates a `cnn-film` architecture against the manifest's scalar inputs, image shape and
 * number of outputs; the parameter count must equal the one the layers imply.
 */
export function parseCnnFilmArchitecture(
  a: Record<string, unknown>,
  inputNames: readonly string[],
  imageShape: readonly [number, number, number] | undefined,
  outputCount: number,
): CnnFilmArchitectureV1 {
  noExtraKeys(
    a,
    ['kind', 'inputSize', 'imageScale', 'layers', 'concatScalars', 'head', 'outputScale', 'parameters'],
    'architecture',
  );
  if (!imageShape) fail('image', 'is required by architecture.kind "cnn-film"');
  const inputSize = num(a.inputSize, 'architecture.inputSize');
  if (inputSize !== inputNames.length) {
    fail('architecture.inputSize', `is ${inputSize} but the manifest lists ${inputNames.length} inputs`);
  }
  const imageScale = num(a.imageScale, 'architecture.imageScale');
  if (imageScale <= 0) fail('architecture.imageScale', 'must be positive');
  if (!Array.isArray(a.layers) || a.layers.length === 0) fail('architecture.layers', 'must be a non-empty array');
  const layers = a.layers.map((l, i) => parseCnnLayer(l, `architecture.layers[${i}]`));
  const concatScalars = bool(a.concatScalars, 'architecture.concatScalars');
  const head = parseDenseLayers(a.head, 'architecture.head');
  const last = head[head.length - 1];
  if (last && last.units !== outputCount) {
    fail('outputs', `lists ${outputCount} outputs but the last head layer has ${last.units} units`);
  }
  const arch: CnnFilmArchitectureV1 = {
    kind: 'cnn-film',
    inputSize,
    imageScale,
    layers,
    concatScalars,
    head,
    parameters: 0,
  };
  if (a.outputScale !== undefined) {
    const name = str(a.outputScale, 'architecture.outputScale');
    if (!inputNames.includes(name)) fail('architecture.outputScale', `"${name}" is not an input of the model`);
    arch.outputScale = name;
  }
  const parameters = num(a.parameters, 'architecture.parameters');
  const expected = cnnFilmParameterCount(imageShape, arch);
  if (parameters !== expected) fail('architecture.parameters', `is ${parameters}, the layers have ${expected}`);
  arch.parameters = parameters;
  return arch;
}
