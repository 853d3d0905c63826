import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { weightsFromBytes } from '../bundle/verify.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { loadBaselineFromManifest } from './baselines/dispatch.ts';
import { createCnnFilmRunner } from './cnn-film.ts';
import { withDiscriminants } from './discriminants.ts';
import { createMlpRunner } from './mlp.ts';
import { checkRows, type ModelRunner } from './model-runner.ts';
import { createOnnxGraphRunner } from './onnx-graph/runner.ts';

export { checkRows, type ModelRunner } from './model-runner.ts';

/** The bytes of one file of a bundle; a missing file is a BundleError naming it. */
export function bundleFile(files: Readonly<Record<string, Uint8Array>>, path: string): Uint8Array {
  const bytes = files[path];
  if (!bytes) throw new BundleError(`${path}: file missing from the bundle`, { field: path });
  return bytes;
}

/** Options of {@link createRunner}. */
export interface CreateRunnerOptions {
  /**
   * `auto` (default): networks and GBDTs run on the WebAssembly kernels when they could be
   * instantiated (in workerd call `initWasmKernels(module)` first with the module imported from
   * `@hepml/models/wasm/kernels.wasm`), else on TypeScript loops; `ts` forces the loops.
   */
  kernels?: 'auto' | 'ts';
}

/**
 * Compiles a validated manifest and its files (path → bytes; sizes and hashes are checked by the
 * caller with `verifyBundleFile`/`readBundle`) into a {@link ModelRunner}, dispatching on
 * `manifest.architecture.kind`: `mlp` ({@link createMlpRunner}), `cnn-film`
 * ({@link createCnnFilmRunner}), `onnx-graph` (an imported ONNX graph on the interpreter,
 * {@link createOnnxGraphRunner}), and the baselines `cuts | likelihood | gbdt |
 * standard-calibration` (their JSON file read by `baselines/dispatch.ts`). A missing file or a
 * malformed one is a BundleError naming it; wrong input lengths at predict are ModelInputErrors.
 * Discriminant outputs (`outputs[i].discriminant`) are appended after the model's own outputs.
 */
export function createRunner(
  manifest: BundleManifestV1,
  files: Readonly<Record<string, Uint8Array>>,
  options: CreateRunnerOptions = {},
): ModelRunner {
  return withDiscriminants(manifest, createModelRunner(manifest, files, options));
}

/** The runner of the model's own outputs (without derived discriminants). */
function createModelRunner(
  manifest: BundleManifestV1,
  files: Readonly<Record<string, Uint8Array>>,
  options: CreateRunnerOptions,
): ModelRunner {
  const arch = manifest.architecture;
  const kernels = options.kernels ?? 'auto';
  switch (arch.kind) {
    case 'mlp': {
      const mlp = createMlpRunner(manifest, weightsFromBytes(bundleFile(files, manifest.weights)), { kernels });
      return scalarRunner(mlp.inputSize, mlp.outputSize, (features, n) => mlp.predict(features, n));
    }
    case 'cnn-film':
      return createCnnFilmRunner(manifest, weightsFromBytes(bundleFile(files, manifest.weights)), { kernels });
    case 'onnx-graph':
      return createOnnxGraphRunner(manifest, bundleFile(files, manifest.weights), { kernels });
    case 'cuts':
    case 'likelihood':
    case 'gbdt':
    case 'standard-calibration': {
      // Parameters live in a JSON file read by the baselines' strict parsers (C5).
      const baseline = loadBaselineFromManifest(manifest, bundleFile(files, manifest.weights), kernels);
      return scalarRunner(baseline.inputSize, baseline.outputSize, (features, n) => baseline.evaluate(features, n));
    }
    default:
      throw new BundleError(`architecture.kind "${(arch as { kind: string }).kind}" has no runtime`, {
        field: 'architecture.kind',
      });
  }
}

/** A runner of a model that takes no image: checks the rows, refuses an image, evaluates. */
function scalarRunner(
  inputSize: number,
  outputSize: number,
  evaluate: (features: Float32Array, n: number) => Float32Array,
): ModelRunner {
  return {
    inputSize,
    imageSize: 0,
    outputSize,
    predict(features, n, image) {
      checkRows('features', features.length, n, inputSize);
      if (image !== undefined && image.length > 0) {
        throw new ModelInputError('image: this model takes no image', { field: 'image' });
      }
      return evaluate(features, n);
    },
  };
}
