/**
 * Compilation of a `cnn-film` bundle's layers into trunk ops and dense head layers on one sample's
 * channels-last maps (Workers-safe): weights taken in the bundle's order, batch norm turned into a
 * per-channel affine and folded into a preceding linear convolution, the image scale folded into
 * the first convolution. The ops run on TypeScript loops (cnn-film-ts.ts) or are laid out for the
 * wasm kernels (cnn-film-wasm.ts).
 */
import { type CnnFilmArchitectureV1, type MapActivationV1, planCnnTrunk, windowGeometry } from '../bundle/cnn-film.ts';
import { BundleError } from '../errors.ts';
import { type DenseWeights, take, takeDense } from './activations.ts';

/**
 * A window sliding over a channels-last map [h × w × c] into an output of oh × ow cells: size
 * kh × kw, strides sh, sw, padding ph, pw before the first row and column.
 */
export interface SlidingWindow {
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

/** A compiled trunk op on one sample's channels-last map: src [h·w·c] → dst. */
export type TrunkOp =
  | ({
      kind: 'conv';
      filters: number;
      kernel: Float32Array;
      bias: Float32Array;
      activation: MapActivationV1;
    } & SlidingWindow)
  | { kind: 'affine'; size: number; c: number; scale: Float32Array; shift: Float32Array }
  | { kind: 'activation'; size: number; activation: MapActivationV1 }
  | ({ kind: 'pool'; max: boolean } & SlidingWindow)
  | { kind: 'film'; size: number; c: number; hidden: DenseWeights[]; gamma: DenseWeights; beta: DenseWeights }
  | { kind: 'gap'; hw: number; c: number }
  | { kind: 'flatten'; size: number };

/** The compiled layers of a runner, with the widths of its map and vector buffers. */
export interface Compiled {
  trunk: TrunkOp[];
  head: DenseWeights[];
  features: number;
  widest: number;
  widestVector: number;
  imageScaleFolded: boolean;
}

export function compile(
  arch: CnnFilmArchitectureV1,
  imageShape: [number, number, number],
  weights: Float32Array,
): Compiled {
  const { plans, features } = planCnnTrunk(imageShape, arch.inputSize, arch.layers);
  const at = { at: 0 };
  const trunk: TrunkOp[] = [];
  let widest = imageShape[0] * imageShape[1] * imageShape[2];
  let widestVector = arch.inputSize;
  let imageScaleFolded = false;
  for (const [i, plan] of plans.entries()) {
    const { layer, input, output } = plan;
    const size = input.reduce((a, b) => a * b, 1);
    widest = Math.max(
      widest,
      size,
      output.reduce((a, b) => a * b, 1),
    );
    const [h = 1, w = 1, c = 1] = input;
    switch (layer.type) {
      case 'conv2d': {
        const window = slidingWindow(input, output, layer.kernelSize, layer.strides, layer.padding);
        const { kh, kw } = window;
        const kernel = take(weights, at, kh * kw * c * layer.filters);
        const bias = layer.useBias ? take(weights, at, layer.filters) : new Float32Array(layer.filters);
        if (i === 0) {
          for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] as number) / arch.imageScale;
          imageScaleFolded = true;
        }
        trunk.push({ kind: 'conv', ...window, filters: layer.filters, kernel, bias, activation: layer.activation });
        break;
      }
      case 'batch-norm': {
        const gamma = take(weights, at, c);
        const beta = take(weights, at, c);
        const mean = take(weights, at, c);
        const variance = take(weights, at, c);
        const scale = new Float32Array(c);
        const shift = new Float32Array(c);
        for (let k = 0; k < c; k++) {
          const a = (gamma[k] as number) / Math.sqrt((variance[k] as number) + layer.epsilon);
          scale[k] = a;
          shift[k] = (beta[k] as number) - a * (mean[k] as number);
        }
        const prev = trunk[trunk.length - 1];
        if (prev?.kind === 'conv' && prev.activation === 'linear') {
          for (let k = 0; k < prev.kernel.length; k++) {
            prev.kernel[k] = (prev.kernel[k] as number) * (scale[k % c] as number);
          }
          for (let k = 0; k < c; k++) {
            prev.bias[k] = (prev.bias[k] as number) * (scale[k] as number) + (shift[k] as number);
          }
        } else {
          trunk.push({ kind: 'affine', size, c, scale, shift });
        }
        break;
      }
      case 'activation':
        trunk.push({ kind: 'activation', size, activation: layer.activation });
        break;
      case 'max-pool':
      case 'avg-pool': {
        const window = slidingWindow(input, output, layer.poolSize, layer.strides, layer.padding);
        trunk.push({ kind: 'pool', max: layer.type === 'max-pool', ...window });
        break;
      }
      case 'film': {
        const hidden: DenseWeights[] = [];
        let fanIn = arch.inputSize;
        for (const d of layer.hidden) {
          hidden.push(takeDense(weights, at, fanIn, d.units, d.activation));
          fanIn = d.units;
          widestVector = Math.max(widestVector, d.units);
        }
        widestVector = Math.max(widestVector, c);
        const gamma = takeDense(weights, at, fanIn, c, 'linear');
        const beta = takeDense(weights, at, fanIn, c, 'linear');
        trunk.push({ kind: 'film', size, c, hidden, gamma, beta });
        break;
      }
      case 'global-avg-pool':
        trunk.push({ kind: 'gap', hw: h * w, c });
        break;
      case 'flatten':
        // Channels-last row-major is already the flattened order: nothing to do.
        break;
    }
  }
  const head: DenseWeights[] = [];
  let fanIn = features + (arch.concatScalars ? arch.inputSize : 0);
  widest = Math.max(widest, fanIn);
  for (const d of arch.head) {
    head.push(takeDense(weights, at, fanIn, d.units, d.activation));
    fanIn = d.units;
    widest = Math.max(widest, d.units);
  }
  if (at.at !== weights.length) {
    throw new BundleError(`weights: ${weights.length} values, the layers use ${at.at}`, { field: 'weights' });
  }
  return { trunk, head, features, widest, widestVector, imageScaleFolded };
}

/** The window of a convolution or pooling layer from its plan's input and output shapes. */
function slidingWindow(
  input: readonly number[],
  output: readonly number[],
  [kh, kw]: readonly [number, number],
  [sh, sw]: readonly [number, number],
  padding: 'same' | 'valid',
): SlidingWindow {
  const [h = 1, w = 1, c = 1] = input;
  const [oh = 1, ow = 1] = output;
  const ph = windowGeometry(h, kh, sh, padding).padBefore;
  const pw = windowGeometry(w, kw, sw, padding).padBefore;
  return { h, w, c, oh, ow, kh, kw, sh, sw, ph, pw };
}
