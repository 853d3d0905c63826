/**
 * What each input variable of the reference tasks' simulations means (`@hepml/physics` sim:
 * ELECTRON_ID_VARIABLES, B_TAGGING_VARIABLES, BOOSTED_JET_VARIABLES, CALO_SHOWER_VARIABLES), written
 * into the bundle inputs' `description` so a published model says what it reads. Names shared by
 * several tasks (`eta`, `pt`, `mu`, `f1`, `f3`) mean the same quantity in each. Units are the
 * sample's (`unit` beside the description), not repeated here.
 */
export const INPUT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  // Electron identification (ATLAS likelihood variables, EPJC 79 (2019) 639).
  et: 'transverse energy of the electron cluster',
  eta: 'pseudorapidity',
  mu: 'average number of pile-up interactions per bunch crossing ⟨μ⟩',
  rhad1: 'ET in the first hadronic-calorimeter layer over the cluster ET (|η| < 0.8 or > 1.37)',
  rhad: 'ET in the whole hadronic calorimeter over the cluster ET (0.8 ≤ |η| ≤ 1.37)',
  f3: 'fraction of the energy in the third (back) EM layer',
  weta2: 'lateral shower width in the second EM layer (3 × 5 cells)',
  rphi: 'E(3 × 3)/E(3 × 7) in the second EM layer, in φ',
  reta: 'E(3 × 7)/E(7 × 7) in the second EM layer, in η',
  wstot: 'total lateral shower width in the first (strip) EM layer',
  eratio: '(E1 − E2)/(E1 + E2) of the two largest strip-layer energy maxima',
  f1: 'fraction of the energy in the first (strip/front) EM layer',
  nBlayer: 'hits in the innermost pixel layer',
  nPixel: 'pixel hits',
  nSi: 'silicon (pixel + strip) hits',
  d0: 'transverse impact parameter of the track',
  d0sig: 'transverse impact parameter significance |d0|/σ(d0)',
  dpOverP: 'momentum lost by the track between the perigee and the last measurement, Δp/p',
  eProbabilityHT: 'transition-radiation likelihood probability of the electron hypothesis',
  deltaEta1: 'Δη between the cluster in the strip layer and the extrapolated track',
  deltaPhiRes: 'Δφ between the cluster and the track rescaled to the cluster energy',
  eOverP: 'cluster energy over track momentum E/p',
  // ALEPH b tagging (the six variables of the ALEPH b-tag network).
  pUds: 'probability that all tracks come from the primary vertex (uds hypothesis)',
  deltaChi2: 'χ² difference of the vertex fits with and without a secondary vertex',
  leptonPt: 'transverse momentum of the highest-pT lepton relative to the jet axis',
  boostedSphericity: 'sphericity of the jet in its rest frame',
  energyFlowMultiplicity: 'number of energy-flow objects in the jet',
  sumPt2: 'sum of the squared transverse momenta of the jet particles relative to the jet axis',
  // Boosted jets (substructure).
  pt: 'transverse momentum',
  mass: 'jet mass',
  tau21: 'N-subjettiness ratio τ2/τ1 (two-prong likeness)',
  tau32: 'N-subjettiness ratio τ3/τ2 (three-prong likeness)',
  d2: 'energy-correlation ratio D2 (β = 1)',
  c2: 'energy-correlation ratio C2 (β = 1)',
  sqrtD12: 'kt splitting scale √d12 of the last two-to-one clustering',
  sqrtD23: 'kt splitting scale √d23 of the last three-to-two clustering',
  nTracks: 'number of tracks in the jet',
  // Calorimeter showers (energy regression).
  eRaw: 'raw cluster energy, sum of the EM layers',
  eAcc: 'energy in the accordion (EM layers 1–3)',
  ePs: 'energy in the presampler',
  e1: 'energy in the first EM layer',
  e2: 'energy in the second EM layer',
  e3: 'energy in the third EM layer',
  phi: 'azimuthal angle',
  f0: 'fraction of the energy in the presampler',
  r12: 'ratio of the energies in the first and second EM layers E1/E2',
  showerDepth: 'longitudinal shower depth (energy-weighted mean layer index)',
  etaCell: 'η position of the cluster within its cell (cell units)',
  phiCell: 'φ position of the cluster within its cell (cell units)',
  isPhoton: '1 for a photon candidate, 0 for an electron',
  isConverted: '1 for a converted photon, 0 otherwise',
  convRadius: 'radius of the photon-conversion vertex (0 when unconverted)',
};

/** The input's description when the variable is a known one, for spreading into a bundle input. */
export function inputDescription(name: string): { description?: string } {
  const description = INPUT_DESCRIPTIONS[name];
  return description === undefined ? {} : { description };
}
