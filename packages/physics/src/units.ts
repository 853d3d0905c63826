/**
 * Units of hepml-edge: energies, momenta and masses in GeV, angles in radians, lengths in mm,
 * times in ns. Every quantity inside the code base is in these units; conversion happens only at
 * input and output edges, with the helpers below.
 */
export const GeV = 1;
export const MeV = 1e-3;
export const TeV = 1e3;
export const rad = 1;
export const mm = 1;
export const ns = 1;

/** Converts an energy in MeV (ATLAS files) to GeV. */
export function mevToGev(valueMeV: number): number {
  return valueMeV * MeV;
}
