import type { BundleManifestV1 } from '@hepml/models/runtime';

/** The CNN image a model takes per row (contract C3): [height, width, channels], HWC, GeV. */
export interface ImageSpec {
  name: string;
  shape: [number, number, number];
  unit: string;
  description?: string;
}

// C3 extends the manifest with optional `image` and `calibration`; these read them whether or not
// the manifest type of the installed runtime declares them yet.
type ExtendedManifest = BundleManifestV1 & {
  image?: ImageSpec;
  calibration?: { scaleFactors?: string };
};

/** The model's image input, if it has one. */
export function imageOf(manifest: BundleManifestV1): ImageSpec | undefined {
  return (manifest as ExtendedManifest).image;
}

/** Path of the bundle's correctionlib scale-factor file (`calibration.scaleFactors`), if any. */
export function scaleFactorsPathOf(manifest: BundleManifestV1): string | undefined {
  return (manifest as ExtendedManifest).calibration?.scaleFactors;
}
