import { at } from '@hepml/physics';
import { type BundleManifestV1, hasInputTransforms, transformRows } from '../bundle/manifest.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { denseRow } from './activations.ts';
import { compile } from './cnn-film-compile.ts';
import { runOp, writesNew } from './cnn-film-ts.ts';
import { CNN_BLOCK, planWasmReleased, type WasmPlan } from './cnn-film-wasm.ts';
import { checkParameterCount, checkRows, type ModelRunner } from './model-runner.ts';
import { type WasmKernels, wasmKernels } from './wasm-kernels.ts';

export { CNN_BLOCK } from './cnn-film-wasm.ts';

/** Which kernels a runner uses: the wasm SIMD ones when available (`auto`), or TypeScript loops. */
export interface CnnFilmRunnerOptions {
  kernels?: 'auto' | 'ts';
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
  checkParameterCount(weights, arch.parameters);
  const compiled = compile(arch, image.shape, weights);
  const inputSize = arch.inputSize;
  const imageSize = image.shape[0] * image.shape[1] * image.shape[2];
  const outputSize = compiled.head[compiled.head.length - 1]?.units ?? 0;
  const offsets = Float32Array.from(manifest.inputs.map((i) => i.offset));
  const invScales = Float64Array.from(manifest.inputs.map((i) => 1 / i.scale));
  const transformed = hasInputTransforms(manifest.inputs);
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
        scalars[i] = (at(features, r * inputSize + i) - at(offsets, i)) * at(invScales, i);
      }
      const io = r * imageSize;
      for (let k = 0; k < imageSize; k++) mapA[k] = at(img, io + k) * imageFactor;
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
      for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = at(x, j);
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
          heap[s0 + r * inputSize + i] = (at(features, fo + i) - at(offsets, i)) * at(invScales, i);
        }
      }
      const block = img.subarray(start * imageSize, (start + rows) * imageSize);
      if (imageFactor === 1) heap.set(block, plan.image / 4);
      else for (let j = 0; j < block.length; j++) heap[plan.image / 4 + j] = at(block, j) * imageFactor;
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
      // Input transforms on a copy; the output scaling below reads the raw value.
      const x = transformed ? transformRows(features, manifest.inputs, new Float32Array(features.length)) : features;
      if (kernels && blocks) predictWasm(kernels, blocks, x, n, img, out);
      else predictTs(x, n, img, out);
      if (scaleIndex >= 0) {
        for (let r = 0; r < n; r++) {
          const factor = at(features, r * inputSize + scaleIndex);
          for (let j = 0; j < outputSize; j++) out[r * outputSize + j] = at(out, r * outputSize + j) * factor;
        }
      }
      return out;
    },
  };
}
