import { type BundleManifestV1, scoreOutputIndex } from '@hepml/models/runtime';

/** The CNN image a model takes per row (contract C3): [height, width, channels], HWC, GeV. */
export type ImageSpec = NonNullable<BundleManifestV1['image']>;

/** The model's image input, if it has one. */
export function imageOf(manifest: BundleManifestV1): ImageSpec | undefined {
  return manifest.image;
}

/** Path of the bundle's correctionlib scale-factor file (`calibration.scaleFactors`), if any. */
export function scaleFactorsPathOf(manifest: BundleManifestV1): string | undefined {
  return manifest.calibration?.scaleFactors;
}

/**
 * Index of the tagger score among the outputs: the output the evaluation names as its reference
 * (multi-class: the W-against-QCD discriminant), else the first `score`, else the first
 * `class-score`; -1 when the model has none (a regression).
 */
export function scoreIndexOf(manifest: BundleManifestV1): number {
  return scoreOutputIndex(manifest);
}
