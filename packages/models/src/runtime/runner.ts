import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { weightsFromBytes } from '../bundle/verify.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { createMlpRunner } from './mlp.ts';

/**
 * A compiled model of any architecture kind. Inputs are RAW (units as in the manifest);
 * standardisation happens inside.
 */
export interface ModelRunner {
  /** Scalar floats per row, in `manifest.inputs` order. */
  readonly inputSize: number;
  /** Image floats per row (height × width × channels, HWC), 0 when the model takes no image. */
  readonly imageSize: number;
  /** Floats per output row, in `manifest.outputs` order. */
  readonly outputSize: number;
  /**
   * Evaluates `n` rows: `features` row-major n × inputSize, `image` row-major n × imageSize (only
   * for models with an image). Returns a new Float32Array of n × outputSize. Wrong lengths are a
   * {@link ModelInputError}.
   */
  predict(features: Float32Array, n: number, image?: Float32Array): Float32Array;
}

/** The bytes of one file of a bundle; a missing file is a BundleError naming it. */
export function bundleFile(files: Readonly<Record<string, Uint8Array>>, path: string): Uint8Array {
  const bytes = files[path];
  if (!bytes) throw new BundleError(`${path}: file missing from the bundle`, { field: path });
  return bytes;
}

/** Throws a ModelInputError unless `n` is a non-negative integer and `length` equals n × size. */
export function checkRows(what: string, length: number, n: number, size: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new ModelInputError(`n must be a non-negative integer, got ${n}`, { field: 'n' });
  if (length !== n * size) {
    throw new ModelInputError(`${what}: ${length} values for ${n} rows of ${size}`, { field: what });
  }
}

/**
 * Compiles a validated manifest and its files (path → bytes; sizes and hashes are checked by the
 * caller with `verifyBundleFile`/`readBundle`) into a {@link ModelRunner}, dispatching on
 * `manifest.architecture.kind`.
 */
export function createRunner(manifest: BundleManifestV1, files: Readonly<Record<string, Uint8Array>>): ModelRunner {
  const arch = manifest.architecture;
  switch (arch.kind) {
    case 'mlp': {
      const mlp = createMlpRunner(manifest, weightsFromBytes(bundleFile(files, manifest.weights)));
      return {
        inputSize: mlp.inputSize,
        imageSize: 0,
        outputSize: mlp.outputSize,
        predict(features, n, image) {
          checkRows('features', features.length, n, mlp.inputSize);
          if (image !== undefined && image.length > 0) {
            throw new ModelInputError('image: this model takes no image', { field: 'image' });
          }
          return mlp.predict(features, n);
        },
      };
    }
    default:
      throw new BundleError(`architecture.kind "${(arch as { kind: string }).kind}" has no runtime`, {
        field: 'architecture.kind',
      });
  }
}
