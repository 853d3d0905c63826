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
