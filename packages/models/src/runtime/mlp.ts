import { at } from '@hepml/physics';
import { type BundleManifestV1, hasInputTransforms, transformRows } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { type DenseWeights, denseRow, takeDense } from './activations.ts';
import { checkParameterCount, checkRows } from './model-runner.ts';
import { WASM_ACTIVATION, type WasmArena, type WasmKernels, wasmKernels } from './wasm-kernels.ts';

/** Which kernels an MLP runner uses: the wasm SIMD ones for large batches when available (`auto`). */
export interface MlpRunnerOptions {
  kernels?: 'auto' | 'wasm' | 'ts';
}

/** A compiled MLP: standardisation and dense layers over Float32Array, no tfjs, no Node APIs. */
export interface MlpRunner {
  readonly inputSize: number;
  readonly outputSize: number;
  /** `wasm` when large batches run on the SIMD kernels, else `ts`. */
  readonly kernels: 'wasm' | 'ts';
  /**
   * Evaluates `n` rows given row-major as raw (unstandardised) inputs of length n × inputSize;
   * returns row-major outputs of length n × outputSize (a new array).
   */
  predict(raw: Float32Array, n: number): Float32Array;
  /** As {@link predict} but writes into `out` (length ≥ n × outputSize) and allocates nothing. */
  predictInto(raw: Float32Array, n: number, out: Float32Array): Float32Array;
}

/** Rows per block: activations of a block stay in L1/L2 cache between layers. */
export const BLOCK = 256;

/**
 * Builds a runner from a validated manifest and its weights (per layer: kernel row-major
 * [fanIn × units], then bias [units]). Standardisation (x − offset)/scale is folded into the first
 * layer at build time: W'ij = Wij / scale_i, b'j = bj − Σi offset_i·Wij / scale_i, so a call does
 * no extra pass over the inputs (unless an input has a `transform`: those columns are transformed
 * into a scratch copy of the batch first, which grows to the largest batch seen). Rows run in blocks of 256 through preallocated buffers; the
 * activation is fused into each layer. Every batch runs on the WebAssembly SIMD kernels
 * (kernels/kernels.ts) when they are available — at batch 1 too, where they took about 2 µs per
 * call against about 10 µs for the TypeScript loops (19→64→32→1, CPU time) — else on TypeScript loops.
 */
export function createMlpRunner(
  manifest: BundleManifestV1,
  weights: Float32Array,
  options: MlpRunnerOptions = {},
): MlpRunner {
  const arch = manifest.architecture;
  if (arch.kind !== 'mlp') {
    throw new BundleError(`architecture.kind "${arch.kind}" is not an mlp`, { field: 'architecture.kind' });
  }
  checkParameterCount(weights, arch.parameters);
  const layers: DenseWeights[] = [];
  const offset = { at: 0 };
  let fanIn = arch.inputSize;
  for (const spec of arch.layers) {
    layers.push(takeDense(weights, offset, fanIn, spec.units, spec.activation));
    fanIn = spec.units;
  }
  const first = layers[0];
  if (first) {
    // Fold standardisation in float64, then round once to float32.
    const bias = Float64Array.from(first.bias);
    for (let i = 0; i < first.fanIn; i++) {
      const input = manifest.inputs[i];
      if (!input) throw new BundleError(`inputs[${i}] missing`, { field: `inputs[${i}]` });
      for (let j = 0; j < first.units; j++) {
        const w = at(first.kernel, i * first.units + j) / input.scale;
        first.kernel[i * first.units + j] = w;
        bias[j] = at(bias, j) - input.offset * w;
      }
    }
    first.bias = Float32Array.from(bias);
  }
  const inputSize = arch.inputSize;
  const outputSize = layers[layers.length - 1]?.units ?? 0;
  const widest = Math.max(...layers.map((l) => l.units));
  const scratchA = new Float32Array(BLOCK * widest);
  const scratchB = new Float32Array(BLOCK * widest);
  const wasm = options.kernels === 'ts' ? null : packForWasm(layers, inputSize);
  if (options.kernels === 'wasm' && !wasm) {
    throw new BundleError('wasm kernels requested but WebAssembly SIMD is unavailable here', { field: 'kernels' });
  }

  function blockTs(raw: Float32Array, start: number, rows: number, out: Float32Array): void {
    let src = raw;
    let srcOff = start * inputSize;
    let dst = scratchA;
    for (let li = 0; li < layers.length; li++) {
      const l = at(layers, li);
      const last = li === layers.length - 1;
      const target = last ? out : dst;
      const dstOff = last ? start * outputSize : 0;
      for (let r = 0; r < rows; r++) denseRow(src, srcOff + r * l.fanIn, target, dstOff + r * l.units, l);
      src = target;
      srcOff = 0;
      dst = dst === scratchA ? scratchB : scratchA;
    }
  }

  const transformed = hasInputTransforms(manifest.inputs);
  let transformScratch = new Float32Array(0);

  function predictInto(input: Float32Array, n: number, out: Float32Array): Float32Array {
    checkRows('features', input.length, n, inputSize);
    if (out.length < n * outputSize)
      throw new BundleError(`predictInto: out holds ${out.length} values, needs ${n * outputSize}`);
    let raw = input;
    if (transformed) {
      if (transformScratch.length < n * inputSize) transformScratch = new Float32Array(n * inputSize);
      raw = transformRows(
        input.subarray(0, n * inputSize),
        manifest.inputs,
        transformScratch.subarray(0, n * inputSize),
      );
    }
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start);
      if (wasm) wasm.block(raw, start, rows, out);
      else blockTs(raw, start, rows, out);
    }
    return out;
  }

  return {
    inputSize,
    outputSize,
    kernels: wasm ? 'wasm' : 'ts',
    predictInto,
    predict(raw: Float32Array, n: number): Float32Array {
      return predictInto(raw, n, new Float32Array(n * outputSize));
    },
  };
}

/** A dense chain packed into wasm memory with its own buffers for up to {@link BLOCK} rows. */
export interface WasmDenseChain {
  /** Runs `rows` (≤ BLOCK) rows from the wasm address `input` through the layers; returns the outputs' address. */
  run(input: number, rows: number): number;
}

/**
 * Copies the layers into wasm memory with block buffers; null without wasm. Hidden layers are
 * padded to a multiple of 4 units (zero kernel columns and bias, and zero kernel rows for those
 * inputs in the next layer, so act(0) of a padded unit never reaches an output) to keep every
 * column in the SIMD tiles; a softmax layer is not padded (its sum would change). A last layer of
 * fewer than 4 units is stored transposed [units × fanIn] and runs as dot products.
 */
export function packForWasm(
  layers: readonly DenseWeights[],
  inputSize: number,
): { block(raw: Float32Array, start: number, rows: number, out: Float32Array): void } | null {
  const k: WasmKernels | null = wasmKernels();
  if (!k) return null;
  // The regions return to the kernels once the packed chain (which every call goes through) is collected.
  const scope = k.scope();
  const chain = packDenseChain(scope, layers, inputSize);
  const input = scope.alloc(BLOCK * inputSize);
  const outputSize = layers[layers.length - 1]?.units ?? 0;
  const packed = {
    block(raw: Float32Array, start: number, rows: number, out: Float32Array) {
      k.heap().set(raw.subarray(start * inputSize, (start + rows) * inputSize), input / 4);
      const y = chain.run(input, rows);
      out.set(k.heap().subarray(y / 4, y / 4 + rows * outputSize), start * outputSize);
    },
  };
  k.releaseWhenCollected(packed, scope);
  return packed;
}

/** The layers of {@link packForWasm} in wasm memory, run from and to wasm addresses. */
export function packDenseChain(k: WasmArena, layers: readonly DenseWeights[], inputSize: number): WasmDenseChain {
  let fanIn = inputSize;
  let widest = 0;
  const packed = layers.map((l, li) => {
    const last = li === layers.length - 1;
    const narrow = last && l.units < 4;
    const width = last || l.activation === 'softmax' ? l.units : Math.ceil(l.units / 4) * 4;
    widest = Math.max(widest, width);
    const w = k.alloc(fanIn * width);
    const b = k.alloc(width);
    const heap = k.heap();
    heap.fill(0, w / 4, w / 4 + fanIn * width);
    heap.fill(0, b / 4, b / 4 + width);
    for (let i = 0; i < l.fanIn; i++) {
      for (let j = 0; j < l.units; j++) {
        const v = at(l.kernel, i * l.units + j);
        heap[w / 4 + (narrow ? j * fanIn + i : i * width + j)] = v;
      }
    }
    heap.set(l.bias, b / 4);
    const p = { w, b, narrow, fanIn, units: width, act: WASM_ACTIVATION[l.activation] };
    fanIn = width;
    return p;
  });
  const bufA = k.alloc(BLOCK * widest);
  const bufB = k.alloc(BLOCK * widest);
  const { dense, denseNarrow } = k.exports;
  return {
    run(input, rows) {
      let src = input;
      let dst = bufA;
      for (const p of packed) {
        (p.narrow ? denseNarrow : dense)(src, p.w, p.b, dst, rows, p.fanIn, p.units, p.act);
        src = dst;
        dst = dst === bufA ? bufB : bufA;
      }
      return src;
    },
  };
}
