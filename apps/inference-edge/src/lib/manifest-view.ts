import type { BundleManifestV1 } from '@hepml/models/runtime';

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
 * (multi-class: the first signal class), else the first `score`, else the first `class-score`;
 * -1 when the model has none (a regression).
 */
export function scoreIndexOf(manifest: BundleManifestV1): number {
  const outputs = manifest.outputs;
  const reference = manifest.evaluation?.reference;
  const byReference = reference === undefined ? -1 : outputs.findIndex((o) => o.name === reference);
  if (byReference >= 0) return byReference;
  const score = outputs.findIndex((o) => o.kind === 'score');
  return score >= 0 ? score : outputs.findIndex((o) => o.kind === 'class-score');
}
