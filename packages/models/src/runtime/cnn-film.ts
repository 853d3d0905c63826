import { type CnnFilmArchitectureV1, type MapActivationV1, planCnnTrunk } from '../bundle/cnn-film.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { applyActivation, type DenseWeights, denseRow, take } from './activations.ts';
import { BLOCK, packForWasm } from './mlp.ts';
import { checkRows, type ModelRunner } from './model-runner.ts';
import { WASM_ACTIVATION, type WasmKernels, wasmKernels } from './wasm-kernels.ts';

/** Which kernels the convolutions use: wasm (im2col + SIMD dense) when available (`auto`), or TypeScript loops. */
export interface CnnFilmRunnerOptions {
  kernels?: 'auto' | 'ts';
}

/** A compiled trunk op on one sample's channels-last map: src [h·w·c] → dst. */
type TrunkOp =
  | {
      kind: 'conv';
      h: number;
      w: number;
      c: number;
      oh: number;
      ow: number;
      filters: number;
      kh: number;
      kw: number;
      sh: number;
      sw: number;
      ph: number;
      pw: number;
      kernel: Float32Array;
      bias: Float32Array;
      activation: MapActivationV1;
      /** The same convolution on the wasm kernels (im2col + SIMD dense), when available. */
      wasm?: (src: Float32Array, dst: Float32Array) => void;
    }
  | { kind: 'affine'; size: number; c: number; scale: Float32Array; shift: Float32Array }
  | { kind: 'activation'; size: number; activation: MapActivationV1 }
  | {
      kind: 'pool';
      max: boolean;
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
  | { kind: 'film'; size: number; c: number; hidden: DenseWeights[]; gamma: DenseWeights; beta: DenseWeights }
  | { kind: 'gap'; hw: number; c: number }
  | { kind: 'flatten'; size: number };

/** Ops that write into `dst`; the others work in place on `src`. */
function writesNew(op: TrunkOp): boolean {
  return op.kind === 'conv' || op.kind === 'pool' || op.kind === 'gap';
}

/**
 * Builds a runner for a `cnn-film` bundle (schema and weight order in {@link CnnFilmArchitectureV1}).
 * At build time batch norm becomes a per-channel affine y = a·x + b with a = γ/√(var + ε) and
 * b = β − a·mean, folded into the preceding convolution when that has a linear activation
 * (K'[…,o] = a[o]·K[…,o], b'[o] = a[o]·b[o] + b[o]); the image scale 1/imageScale is folded into the
 * first convolution when the trunk starts with one. Each call evaluates row by row in preallocated
 * buffers: convolution by direct summation over the window (zero padding), pooling over the
 * cells inside the map, FiLM γ[c]·x + β[c] with γ, β from the row's standardised scalars. With the
 * wasm kernels, convolutions run as im2col + SIMD dense and the head runs once per block of 256
 * rows on the SIMD dense kernels; without them, everything runs on TypeScript loops.
 */
export function createCnnFilmRunner(
  manifest: BundleManifestV1,
  weights: Float32Array,
  options: CnnFilmRunnerOptions = {},
): ModelRunner {
  const arch = manifest.architecture;
  if (arch.kind !== 'cnn-film') {
    throw new BundleError(`architecture.kind "${arch.kind}" is not cnn-film`, { field: 'architecture.kind' });
  }
  const image = manifest.image;
  if (!image) throw new BundleError('image: required by cnn-film', { field: 'image' });
  if (weights.length !== arch.parameters) {
    throw new BundleError(`weights: ${weights.length} values, architecture needs ${arch.parameters}`, {
      field: 'weights',
    });
  }
  const compiled = compile(arch, image.shape, weights);
  const kernels = options.kernels === 'ts' ? null : wasmKernels();
  if (kernels) for (const op of compiled.trunk) if (op.kind === 'conv') op.wasm = wasmConv(op, kernels);
  const headWidth = compiled.features + (arch.concatScalars ? arch.inputSize : 0);
  // The head runs once per block of rows on the SIMD dense kernels, from a matrix of feature vectors.
  const head = kernels ? packForWasm(compiled.head, headWidth) : null;
  const headInputs = new Float32Array(head ? BLOCK * headWidth : 0);
  const inputSize = arch.inputSize;
  const imageSize = image.shape[0] * image.shape[1] * image.shape[2];
  const outputSize = compiled.head[compiled.head.length - 1]?.units ?? 0;
  const offsets = Float32Array.from(manifest.inputs.map((i) => i.offset));
  const invScales = Float64Array.from(manifest.inputs.map((i) => 1 / i.scale));
  const scaleIndex =
    arch.outputScale === undefined ? -1 : manifest.inputs.findIndex((i) => i.name === arch.outputScale);
  const imageFactor = compiled.imageScaleFolded ? 1 : 1 / arch.imageScale;

  const mapA = new Float32Array(compiled.widest);
  const mapB = new Float32Array(compiled.widest);
  const scalars = new Float32Array(inputSize);
  const vecA = new Float32Array(compiled.widestVector);
  const vecB = new Float32Array(compiled.widestVector);

  return {
    inputSize,
    imageSize,
    outputSize,
    predict(features: Float32Array, n: number, img?: Float32Array): Float32Array {
      checkRows('features', features.length, n, inputSize);
      if (!img) throw new ModelInputError('image: this model needs an image per row', { field: 'image' });
      checkRows('image', img.length, n, imageSize);
      const out = new Float32Array(n * outputSize);
      for (let r = 0; r < n; r++) {
        for (let i = 0; i < inputSize; i++) {
          scalars[i] = ((features[r * inputSize + i] as number) - (offsets[i] as number)) * (invScales[i] as number);
        }
        const io = r * imageSize;
        for (let k = 0; k < imageSize; k++) mapA[k] = (img[io + k] as number) * imageFactor;
        let src = mapA;
        let dst = mapB;
        for (const op of compiled.trunk) {
          runOp(op, src, dst, scalars, vecA, vecB);
          if (writesNew(op)) {
            const t = src;
            src = dst;
            dst = t;
          }
        }
        // src now holds the feature vector; append the scalars for the head when asked.
        if (arch.concatScalars) src.set(scalars, compiled.features);
        if (head) {
          headInputs.set(src.subarray(0, headWidth), (r % BLOCK) * headWidth);
          if (r % BLOCK === BLOCK - 1 || r === n - 1) {
            const start = r - (r % BLOCK);
            head.block(headInputs, 0, r - start + 1, out.subarray(start * outputSize));
          }
          continue;
        }
        let x = src;
        let y = dst;
        for (const l of compiled.head) {
          denseRow(x, 0, y, 0, l);
          const t = x;
          x = y;
          y = t;
        }
        for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = x[j] as number;
      }
      if (scaleIndex >= 0) {
        for (let r = 0; r < n; r++) {
          const factor = features[r * inputSize + scaleIndex] as number;
          for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = (out[r * outputSize + j] as number) * factor;
        }
      }
      return out;
    },
  };
}

interface Compiled {
  trunk: TrunkOp[];
  head: DenseWeights[];
  features: number;
  widest: number;
  widestVector: number;
  imageScaleFolded: boolean;
}

function compile(arch: CnnFilmArchitectureV1, imageShape: [number, number, number], weights: Float32Array): Compiled {
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
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = layer.strides;
        const [oh = 1, ow = 1] = output;
        const kernel = take(weights, at, kh * kw * c * layer.filters);
        const bias = layer.useBias ? take(weights, at, layer.filters) : new Float32Array(layer.filters);
        if (i === 0) {
          for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] as number) / arch.imageScale;
          imageScaleFolded = true;
        }
        trunk.push({
          kind: 'conv',
          h,
          w,
          c,
          oh,
          ow,
          filters: layer.filters,
          kh,
          kw,
          sh,
          sw,
          ph: padBefore(h, kh, sh, oh, layer.padding),
          pw: padBefore(w, kw, sw, ow, layer.padding),
          kernel,
          bias,
          activation: layer.activation,
        });
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
        const [kh, kw] = layer.poolSize;
        const [sh, sw] = layer.strides;
        const [oh = 1, ow = 1] = output;
        trunk.push({
          kind: 'pool',
          max: layer.type === 'max-pool',
          h,
          w,
          c,
          oh,
          ow,
          kh,
          kw,
          sh,
          sw,
          ph: padBefore(h, kh, sh, oh, layer.padding),
          pw: padBefore(w, kw, sw, ow, layer.padding),
        });
        break;
      }
      case 'film': {
        const hidden: DenseWeights[] = [];
        let fanIn = arch.inputSize;
        for (const d of layer.hidden) {
          hidden.push({
            fanIn,
            units: d.units,
            kernel: take(weights, at, fanIn * d.units),
            bias: take(weights, at, d.units),
            activation: d.activation,
          });
          fanIn = d.units;
          widestVector = Math.max(widestVector, d.units);
        }
        widestVector = Math.max(widestVector, c);
        const head = (): DenseWeights => ({
          fanIn,
          units: c,
          kernel: take(weights, at, fanIn * c),
          bias: take(weights, at, c),
          activation: 'linear',
        });
        const gamma = head();
        const beta = head();
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
    head.push({
      fanIn,
      units: d.units,
      kernel: take(weights, at, fanIn * d.units),
      bias: take(weights, at, d.units),
      activation: d.activation,
    });
    fanIn = d.units;
    widest = Math.max(widest, d.units);
  }
  if (at.at !== weights.length) {
    throw new BundleError(`weights: ${weights.length} values, the layers use ${at.at}`, { field: 'weights' });
  }
  return { trunk, head, features, widest, widestVector, imageScaleFolded };
}

function padBefore(size: number, k: number, s: number, out: number, padding: 'same' | 'valid'): number {
  return padding === 'valid' ? 0 : Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
}

function runOp(
  op: TrunkOp,
  src: Float32Array,
  dst: Float32Array,
  scalars: Float32Array,
  vecA: Float32Array,
  vecB: Float32Array,
): void {
  switch (op.kind) {
    case 'conv':
      if (op.wasm) op.wasm(src, dst);
      else conv2d(op, src, dst);
      return;
    case 'affine': {
      const { size, c, scale, shift } = op;
      for (let k = 0; k < size; k++) {
        const ch = k % c;
        src[k] = (src[k] as number) * (scale[ch] as number) + (shift[ch] as number);
      }
      return;
    }
    case 'activation':
      applyActivation(src, 0, op.size, op.activation);
      return;
    case 'pool':
      pool(op, src, dst);
      return;
    case 'film': {
      let x = scalars;
      let y = vecA;
      for (const l of op.hidden) {
        denseRow(x, 0, y, 0, l);
        x = y;
        y = y === vecA ? vecB : vecA;
      }
      // γ into y, β into the third buffer slot: reuse dst (free during in-place ops) for β.
      denseRow(x, 0, y, 0, op.gamma);
      denseRow(x, 0, dst, 0, op.beta);
      const { size, c } = op;
      for (let k = 0; k < size; k++) {
        const ch = k % c;
        src[k] = (y[ch] as number) * (src[k] as number) + (dst[ch] as number);
      }
      return;
    }
    case 'gap': {
      const { hw, c } = op;
      for (let ch = 0; ch < c; ch++) dst[ch] = 0;
      for (let p = 0; p < hw; p++)
        for (let ch = 0; ch < c; ch++) dst[ch] = (dst[ch] as number) + (src[p * c + ch] as number);
      for (let ch = 0; ch < c; ch++) dst[ch] = (dst[ch] as number) / hw;
      return;
    }
    case 'flatten':
      return;
  }
}

/**
 * A convolution on the wasm kernels: the map is copied into wasm memory, unrolled by im2col into
 * [oh·ow × kh·kw·c] and multiplied by the kernel [kh·kw·c × filters] (the tfjs layout is already
 * that matrix) with the bias and activation fused; the result is copied back.
 */
function wasmConv(
  op: Extract<TrunkOp, { kind: 'conv' }>,
  k: WasmKernels,
): (src: Float32Array, dst: Float32Array) => void {
  const { h, w, c, oh, ow, filters, kh, kw, sh, sw, ph, pw } = op;
  const depth = kh * kw * c;
  const rows = oh * ow;
  const kernel = k.alloc(depth * filters);
  const bias = k.alloc(filters);
  const input = k.alloc(h * w * c);
  const columns = k.alloc(rows * depth);
  const output = k.alloc(rows * filters);
  k.heap().set(op.kernel, kernel / 4);
  k.heap().set(op.bias, bias / 4);
  const act = WASM_ACTIVATION[op.activation];
  const { im2col, dense } = k.exports;
  return (src, dst) => {
    const heap = k.heap();
    heap.set(src.subarray(0, h * w * c), input / 4);
    im2col(input, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow, columns);
    dense(columns, kernel, bias, output, rows, depth, filters, act);
    dst.set(heap.subarray(output / 4, output / 4 + rows * filters));
  };
}

function conv2d(op: Extract<TrunkOp, { kind: 'conv' }>, src: Float32Array, dst: Float32Array): void {
  const { h, w, c, oh, ow, filters, kh, kw, sh, sw, ph, pw, kernel, bias } = op;
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const yo = (i * ow + j) * filters;
      for (let o = 0; o < filters; o++) dst[yo + o] = bias[o] as number;
      for (let u = 0; u < kh; u++) {
        const y = i * sh + u - ph;
        if (y < 0 || y >= h) continue;
        for (let v = 0; v < kw; v++) {
          const x = j * sw + v - pw;
          if (x < 0 || x >= w) continue;
          const xo = (y * w + x) * c;
          const ko = (u * kw + v) * c * filters;
          for (let ch = 0; ch < c; ch++) {
            const val = src[xo + ch] as number;
            if (val === 0) continue;
            const kc = ko + ch * filters;
            for (let o = 0; o < filters; o++) dst[yo + o] = (dst[yo + o] as number) + val * (kernel[kc + o] as number);
          }
        }
      }
      applyActivation(dst, yo, filters, op.activation);
    }
  }
}

function pool(op: Extract<TrunkOp, { kind: 'pool' }>, src: Float32Array, dst: Float32Array): void {
  const { h, w, c, oh, ow, kh, kw, sh, sw, ph, pw, max } = op;
  for (let i = 0; i < oh; i++) {
    const y0 = Math.max(i * sh - ph, 0);
    const y1 = Math.min(i * sh - ph + kh, h);
    for (let j = 0; j < ow; j++) {
      const x0 = Math.max(j * sw - pw, 0);
      const x1 = Math.min(j * sw - pw + kw, w);
      const yo = (i * ow + j) * c;
      for (let ch = 0; ch < c; ch++) {
        let acc = max ? Number.NEGATIVE_INFINITY : 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const v = src[(y * w + x) * c + ch] as number;
            acc = max ? Math.max(v, acc) : acc + v;
          }
        }
        dst[yo + ch] = max ? acc : acc / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}
