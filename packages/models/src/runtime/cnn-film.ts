import { type CnnFilmArchitectureV1, type MapActivationV1, planCnnTrunk } from '../bundle/cnn-film.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { applyActivation, type DenseWeights, denseRow, take } from './activations.ts';
import { packDenseChain } from './mlp.ts';
import { checkRows, type ModelRunner } from './model-runner.ts';
import { WASM_ACTIVATION, type WasmArena, type WasmKernels, wasmKernels } from './wasm-kernels.ts';

/** Which kernels a runner uses: the wasm SIMD ones when available (`auto`), or TypeScript loops. */
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
 * first convolution when the trunk starts with one. Convolution is direct summation over the
 * window (zero padding), pooling runs over the cells inside the map, FiLM is γ[c]·x + β[c] with
 * γ, β from the row's standardised scalars.
 *
 * With the wasm kernels every layer runs on a block of {@link CNN_BLOCK} rows in wasm memory:
 * convolutions as one implicit GEMM over all the block's output pixels (kernels/kernels.ts
 * conv2d) with bias, relu and a following FiLM fused, the FiLM generators and the head as dense
 * layers on the block; JavaScript only copies the block's inputs in and its outputs out. Without
 * them (or with `kernels: 'ts'`) rows run one by one on TypeScript loops in preallocated buffers.
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
  const inputSize = arch.inputSize;
  const imageSize = image.shape[0] * image.shape[1] * image.shape[2];
  const outputSize = compiled.head[compiled.head.length - 1]?.units ?? 0;
  const offsets = Float32Array.from(manifest.inputs.map((i) => i.offset));
  const invScales = Float64Array.from(manifest.inputs.map((i) => 1 / i.scale));
  const scaleIndex =
    arch.outputScale === undefined ? -1 : manifest.inputs.findIndex((i) => i.name === arch.outputScale);
  const imageFactor = compiled.imageScaleFolded ? 1 : 1 / arch.imageScale;
  const concatScalars = arch.concatScalars;
  const kernels = options.kernels === 'ts' ? null : wasmKernels();
  const blocks = kernels ? planWasmReleased(compiled, arch, imageSize, kernels) : null;

  const mapA = new Float32Array(compiled.widest);
  const mapB = new Float32Array(compiled.widest);
  const scalars = new Float32Array(inputSize);
  const vecA = new Float32Array(compiled.widestVector);
  const vecB = new Float32Array(compiled.widestVector);

  /** Rows one by one on TypeScript loops. */
  function predictTs(features: Float32Array, n: number, img: Float32Array, out: Float32Array): void {
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
      if (concatScalars) src.set(scalars, compiled.features);
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
  }

  /** Blocks of CNN_BLOCK rows on the wasm kernels: inputs copied in, every layer in wasm, outputs copied out. */
  function predictWasm(
    k: WasmKernels,
    plan: WasmPlan,
    features: Float32Array,
    n: number,
    img: Float32Array,
    out: Float32Array,
  ): void {
    for (let start = 0; start < n; start += CNN_BLOCK) {
      const rows = Math.min(CNN_BLOCK, n - start);
      const heap = k.heap();
      const s0 = plan.scalars / 4;
      for (let r = 0; r < rows; r++) {
        const fo = (start + r) * inputSize;
        for (let i = 0; i < inputSize; i++) {
          heap[s0 + r * inputSize + i] =
            ((features[fo + i] as number) - (offsets[i] as number)) * (invScales[i] as number);
        }
      }
      const block = img.subarray(start * imageSize, (start + rows) * imageSize);
      if (imageFactor === 1) heap.set(block, plan.image / 4);
      else for (let j = 0; j < block.length; j++) heap[plan.image / 4 + j] = (block[j] as number) * imageFactor;
      const y = plan.run(rows) / 4;
      out.set(heap.subarray(y, y + rows * outputSize), start * outputSize);
    }
  }

  return {
    inputSize,
    imageSize,
    outputSize,
    predict(features: Float32Array, n: number, img?: Float32Array): Float32Array {
      checkRows('features', features.length, n, inputSize);
      if (!img) throw new ModelInputError('image: this model needs an image per row', { field: 'image' });
      checkRows('image', img.length, n, imageSize);
      const out = new Float32Array(n * outputSize);
      if (kernels && blocks) predictWasm(kernels, blocks, features, n, img, out);
      else predictTs(features, n, img, out);
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

/**
 * Rows per block on the wasm kernels: the block's maps (about 8 kB per row for the default trunk,
 * 7 × 11 × 4 image) stay in the L2 cache from layer to layer.
 */
export const CNN_BLOCK = 32;

/** The wasm plan of a runner: where a block's inputs go, and the layers as calls on `rows` ≤ CNN_BLOCK rows. */
interface WasmPlan {
  /** Standardised scalars [CNN_BLOCK × inputSize]. */
  scalars: number;
  /** Images [CNN_BLOCK × imageSize] (divided by imageScale unless folded). */
  image: number;
  /** Runs the trunk and the head on the block; returns the address of the outputs [rows × outputs]. */
  run(rows: number): number;
}

/** {@link planWasm} in a scope of its own, whose memory returns to the kernels once the plan is collected. */
function planWasmReleased(
  compiled: Compiled,
  arch: CnnFilmArchitectureV1,
  imageSize: number,
  k: WasmKernels,
): WasmPlan {
  const scope = k.scope();
  const plan = planWasm(compiled, arch, imageSize, scope);
  k.releaseWhenCollected(plan, scope);
  return plan;
}

/**
 * Lays the trunk and the head out in wasm memory for blocks of CNN_BLOCK rows: weights copied
 * once, maps ping-ponged between two buffers, a zero-bordered buffer per padded convolution (only
 * its interior is ever written, so the border stays zero), FiLM γ and β heads merged into one
 * dense layer of 2c units. A FiLM right after a convolution with relu or linear activation is
 * fused into the convolution's store.
 */
function planWasm(compiled: Compiled, arch: CnnFilmArchitectureV1, imageSize: number, k: WasmArena): WasmPlan {
  const x = k.exports;
  const B = CNN_BLOCK;
  const upload = (values: Float32Array): number => {
    const at = k.alloc(values.length);
    k.heap().set(values, at / 4);
    return at;
  };
  const scalars = k.alloc(B * arch.inputSize);
  const width = Math.max(compiled.widest, imageSize);
  const mapA = k.alloc(B * width);
  const mapB = k.alloc(B * width);
  const steps: ((rows: number) => void)[] = [];
  let cur = mapA;
  const filmGenerator = (op: Extract<TrunkOp, { kind: 'film' }>): ((rows: number) => number) => {
    const { gamma, beta, c } = op;
    const kernel = new Float32Array(gamma.fanIn * 2 * c);
    for (let i = 0; i < gamma.fanIn; i++) {
      kernel.set(gamma.kernel.subarray(i * c, (i + 1) * c), i * 2 * c);
      kernel.set(beta.kernel.subarray(i * c, (i + 1) * c), i * 2 * c + c);
    }
    const bias = new Float32Array(2 * c);
    bias.set(gamma.bias);
    bias.set(beta.bias, c);
    const chain = packDenseChain(
      k,
      [...op.hidden, { fanIn: gamma.fanIn, units: 2 * c, kernel, bias, activation: 'linear' }],
      arch.inputSize,
    );
    return (rows) => chain.run(scalars, rows);
  };
  const { trunk } = compiled;
  for (let i = 0; i < trunk.length; i++) {
    const op = trunk[i] as TrunkOp;
    const src = cur;
    const dst = cur === mapA ? mapB : mapA;
    switch (op.kind) {
      case 'conv': {
        const { h, w, c, oh, ow, filters, kh, kw, sh, sw, ph, pw } = op;
        const hp = Math.max((oh - 1) * sh + kh, ph + h);
        const wp = Math.max((ow - 1) * sw + kw, pw + w);
        const kernel = upload(op.kernel);
        const bias = upload(op.bias);
        const act = WASM_ACTIVATION[op.activation];
        const next = trunk[i + 1];
        const film = next?.kind === 'film' && act <= WASM_ACTIVATION.relu ? filmGenerator(next) : null;
        if (film) i++;
        let from = src;
        if (hp !== h || wp !== w) {
          const padded = k.alloc(B * hp * wp * c);
          k.heap().fill(0, padded / 4, padded / 4 + B * hp * wp * c);
          steps.push((rows) => x.padMaps(src, rows, h, w, c, padded, hp, wp, ph, pw));
          from = padded;
        }
        steps.push((rows) =>
          x.conv2d(
            from,
            rows,
            hp,
            wp,
            c,
            kernel,
            bias,
            filters,
            kh,
            kw,
            sh,
            sw,
            oh,
            ow,
            dst,
            act,
            film ? film(rows) : 0,
          ),
        );
        cur = dst;
        break;
      }
      case 'affine': {
        const { size, c } = op;
        const scale = upload(op.scale);
        const shift = upload(op.shift);
        steps.push((rows) => x.affine(src, (rows * size) / c, c, scale, shift));
        break;
      }
      case 'activation': {
        const { size } = op;
        const act = WASM_ACTIVATION[op.activation];
        steps.push((rows) => x.activate(src, rows, size, act));
        break;
      }
      case 'pool': {
        const { h, w, c, oh, ow, kh, kw, sh, sw, ph, pw } = op;
        const max = op.max ? 1 : 0;
        steps.push((rows) => x.pool2d(src, rows, h, w, c, dst, oh, ow, kh, kw, sh, sw, ph, pw, max));
        cur = dst;
        break;
      }
      case 'film': {
        const { size, c } = op;
        const film = filmGenerator(op);
        steps.push((rows) => x.film(src, rows, size / c, c, film(rows)));
        break;
      }
      case 'gap': {
        const { hw, c } = op;
        steps.push((rows) => x.meanPool(src, rows, hw, c, dst));
        cur = dst;
        break;
      }
      case 'flatten':
        break;
    }
  }
  const features = cur;
  const headWidth = compiled.features + (arch.concatScalars ? arch.inputSize : 0);
  const head = packDenseChain(k, compiled.head, headWidth);
  const headInput = arch.concatScalars ? k.alloc(B * headWidth) : features;
  return {
    scalars,
    image: mapA,
    run(rows) {
      for (const step of steps) step(rows);
      if (arch.concatScalars) x.concatRows(features, compiled.features, scalars, arch.inputSize, headInput, rows);
      return head.run(headInput, rows);
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
      conv2d(op, src, dst);
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
