import { STANDARD_CALIBRATION_COLUMN } from '@hepml/physics';
import type { BundleManifestV1 } from '../bundle/manifest.ts';

/** Where a regression's energy comes from when the model outputs a factor rather than an energy. */
export interface EnergyFromCorrection {
  /** Index of the `correction` output in the output row. */
  output: number;
  /** Index of the scalar input (GeV) it multiplies, in the manifest's input order. */
  input: number;
}

/**
 * How to obtain a regression's energy (GeV) from a `correction` output: E = correction ×
 * raw(base input). The base is the output's `energyBase`; bundles published before that field
 * existed are energy-regression MLPs regressing E_true/E_standard, whose base is the standard
 * calibration's energy input (`eCalStandard`, as their description says). Undefined when the model
 * outputs an energy itself, or has no correction, or its base is unknown.
 */
export function energyFromCorrection(
  manifest: Pick<BundleManifestV1, 'task' | 'inputs' | 'outputs'>,
): EnergyFromCorrection | undefined {
  if (manifest.outputs.some((o) => o.kind === 'energy')) return undefined;
  const output = manifest.outputs.findIndex((o) => o.kind === 'correction');
  if (output < 0) return undefined;
  const o = manifest.outputs[output];
  const base = o?.energyBase ?? (manifest.task === 'energy-regression' ? STANDARD_CALIBRATION_COLUMN : undefined);
  const input = base === undefined ? -1 : manifest.inputs.findIndex((i) => i.name === base);
  return input < 0 ? undefined : { output, input };
}
