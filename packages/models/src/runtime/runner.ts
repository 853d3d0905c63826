import { loadBaselineFromManifest } from '../baselines/dispatch.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { weightsFromBytes } from '../bundle/verify.ts';
import { BundleError, ModelInputError } from '../errors.ts';
import { createCnnFilmRunner } from './cnn-film.ts';
import { createMlpRunner } from './mlp.ts';
import { checkRows, type ModelRunner } from './model-runner.ts';

export { checkRows, type ModelRunner } from './model-runner.ts';

/** The bytes of one file of a bundle; a missing file is a BundleError naming it. */
export function bundleFile(files: Readonly<Record<string, Uint8Array>>, path: string): Uint8Array {
  const bytes = files[path];
  if (!bytes) throw new BundleError(`${path}: file missing from the bundle`, { field: path });
  return bytes;
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
    case 'cnn-film':
      return createCnnFilmRunner(manifest, weightsFromBytes(bundleFile(files, manifest.weights)));
    case 'cuts':
    case 'likelihood':
    case 'gbdt':
    case 'standard-calibration': {
      // Parameters live in a JSON file read by the baselines' strict parsers (C5).
      const baseline = loadBaselineFromManifest(manifest, bundleFile(files, manifest.weights));
      return {
        inputSize: baseline.inputSize,
        imageSize: 0,
        outputSize: baseline.outputSize,
        predict(features, n, image) {
          checkRows('features', features.length, n, baseline.inputSize);
          if (image !== undefined && image.length > 0) {
            throw new ModelInputError('image: this model takes no image', { field: 'image' });
          }
          return baseline.evaluate(features, n);
        },
      };
    }
    default:
      throw new BundleError(`architecture.kind "${(arch as { kind: string }).kind}" has no runtime`, {
        field: 'architecture.kind',
      });
  }
}
