import { type Fault, nonEmptyArray } from '@hepml/physics';
import { z } from 'zod';
import { BundleError } from '../errors.ts';
import { positive, positiveInt } from './json.ts';

/** Activation of a dense layer. `softmax` is over the layer's units. */
export const ActivationV1 = z.enum(['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'softmax']);
export type ActivationV1 = z.infer<typeof ActivationV1>;

/** Activations usable element-wise on feature maps (all but softmax). */
export const MapActivationV1 = ActivationV1.exclude(['softmax']);
export type MapActivationV1 = z.infer<typeof MapActivationV1>;

/** A dense layer: y = activation(x · W + b), W stored row-major [inputs × units]. */
export const DenseLayerV1 = z.strictObject({
  type: z.literal('dense'),
  units: positiveInt,
  activation: ActivationV1,
});
export type DenseLayerV1 = z.infer<typeof DenseLayerV1>;

/** A pair of positive integers [along height, along width] (kernel, pool window, strides). */
const intPair = z.tuple([positiveInt, positiveInt], { error: 'must be an array of 2 positive integers' });
const padding = z.enum(['same', 'valid']);

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
export const CnnLayerV1 = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('conv2d'),
    filters: positiveInt,
    kernelSize: intPair,
    strides: intPair,
    padding,
    useBias: z.boolean(),
    activation: MapActivationV1,
  }),
  z.strictObject({ type: z.literal('batch-norm'), epsilon: positive }),
  z.strictObject({ type: z.literal('activation'), activation: MapActivationV1 }),
  z.strictObject({ type: z.enum(['max-pool', 'avg-pool']), poolSize: intPair, strides: intPair, padding }),
  z.strictObject({ type: z.literal('film'), hidden: z.array(DenseLayerV1) }),
  z.strictObject({ type: z.enum(['global-avg-pool', 'flatten']) }),
]);
export type CnnLayerV1 = z.infer<typeof CnnLayerV1>;

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
export const CnnFilmArchitectureV1 = z.strictObject({
  kind: z.literal('cnn-film'),
  /** Scalar inputs (= manifest.inputs.length). */
  inputSize: z.number(),
  /** GeV: the image enters the network as pixel / imageScale. */
  imageScale: positive,
  layers: nonEmptyArray(CnnLayerV1),
  concatScalars: z.boolean(),
  head: nonEmptyArray(DenseLayerV1),
  parameters: z.number(),
  /** Name of a scalar input (raw units) that multiplies every output. */
  outputScale: z.string().optional(),
});
export type CnnFilmArchitectureV1 = z.infer<typeof CnnFilmArchitectureV1>;

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

/** The trunk planned layer by layer, and the length of the vector it ends with. */
export interface CnnTrunkPlan {
  plans: CnnLayerPlan[];
  features: number;
}

/** Why a trunk does not fit its image: the layer at fault (absent: the trunk as a whole). */
interface TrunkFault {
  layer?: number;
  message: string;
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
): CnnTrunkPlan {
  const plan = walkTrunk(imageShape, inputSize, layers);
  if ('message' in plan) {
    const field = plan.layer === undefined ? 'architecture.layers' : `architecture.layers[${plan.layer}]`;
    throw new BundleError(`manifest.json: ${field}: ${plan.message}`, { field });
  }
  return plan;
}

function walkTrunk(
  imageShape: readonly [number, number, number],
  inputSize: number,
  layers: readonly CnnLayerV1[],
): CnnTrunkPlan | TrunkFault {
  let shape: FeatureShape = [imageShape[0], imageShape[1], imageShape[2]];
  const plans: CnnLayerPlan[] = [];
  for (const [i, layer] of layers.entries()) {
    if (shape.length !== 3) {
      return { layer: i, message: `"${layer.type}" needs a feature map but follows a flatten/global-avg-pool` };
    }
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
        if (gh.out <= 0 || gw.out <= 0)
          return { layer: i, message: `window ${kh}×${kw} does not fit the ${h}×${w} map` };
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
  if (shape.length !== 1) return { message: 'must end with "flatten" or "global-avg-pool"' };
  return { plans, features: shape[0] };
}

/** Parameters of a cnn-film network with this trunk: trunk, FiLM generators and head. */
function networkParameters(
  trunk: CnnTrunkPlan,
  arch: Pick<CnnFilmArchitectureV1, 'inputSize' | 'concatScalars' | 'head'>,
): number {
  const inTrunk = trunk.plans.reduce((s, p) => s + p.parameters, 0);
  return inTrunk + denseChainSize(trunk.features + (arch.concatScalars ? arch.inputSize : 0), arch.head).parameters;
}

/** Total parameters of a cnn-film network (trunk, FiLM generators and head). */
export function cnnFilmParameterCount(
  imageShape: readonly [number, number, number],
  arch: Omit<CnnFilmArchitectureV1, 'parameters' | 'kind'>,
): number {
  return networkParameters(planCnnTrunk(imageShape, arch.inputSize, arch.layers), arch);
}

/** What an architecture is checked against: the manifest's scalar inputs, image and outputs. */
export interface ArchitectureContext {
  inputNames: readonly string[];
  imageShape: readonly [number, number, number] | undefined;
  /** Outputs the network computes (derived discriminants aside). */
  outputCount: number;
}

/**
 * Checks a `cnn-film` architecture against the manifest: the image it needs, its scalar inputs,
 * one head unit per output, `outputScale` naming an input, a trunk that fits the image and a
 * parameter count equal to the one the layers imply. Returns the first fault, at its manifest path.
 */
export function checkCnnFilmArchitecture(arch: CnnFilmArchitectureV1, context: ArchitectureContext): Fault | undefined {
  const { inputNames, imageShape, outputCount } = context;
  if (!imageShape) return { path: ['image'], message: 'is required by architecture.kind "cnn-film"' };
  if (arch.inputSize !== inputNames.length) {
    const message = `is ${arch.inputSize} but the manifest lists ${inputNames.length} inputs`;
    return { path: ['architecture', 'inputSize'], message };
  }
  const last = arch.head[arch.head.length - 1];
  if (last && last.units !== outputCount) {
    return {
      path: ['outputs'],
      message: `lists ${outputCount} outputs but the last head layer has ${last.units} units`,
    };
  }
  if (arch.outputScale !== undefined && !inputNames.includes(arch.outputScale)) {
    return { path: ['architecture', 'outputScale'], message: `"${arch.outputScale}" is not an input of the model` };
  }
  const trunk = walkTrunk(imageShape, arch.inputSize, arch.layers);
  if ('message' in trunk) {
    return {
      path: ['architecture', 'layers', ...(trunk.layer === undefined ? [] : [trunk.layer])],
      message: trunk.message,
    };
  }
  const expected = networkParameters(trunk, arch);
  if (arch.parameters !== expected) {
    return { path: ['architecture', 'parameters'], message: `is ${arch.parameters}, the layers have ${expected}` };
  }
  return undefined;
}
