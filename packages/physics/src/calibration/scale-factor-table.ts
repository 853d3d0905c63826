/**
 * An efficiency measured in one bin, with its (possibly asymmetric) 68.3 % interval. Clopper–Pearson
 * intervals lie inside [0, 1]; a background-subtracted estimate clipped into [0, 1] keeps the
 * symmetric error of the unclipped estimate, so its interval may reach past 0 or 1 (see
 * `measureEfficiencies`).
 */
export interface BinEfficiency {
  /** ε in [0, 1] (NaN when the bin holds no signal). */
  value: number;
  /** ε − lower edge of the interval (≥ 0). */
  errorLow: number;
  /** upper edge of the interval − ε (≥ 0). */
  errorHigh: number;
  /** Background-subtracted (and weighted) number of passing probes. */
  passed: number;
  /** Background-subtracted (and weighted) number of probes. */
  total: number;
}

/** Where a scale-factor table came from. */
export interface ScaleFactorProvenance {
  /** Name of the data sample (file or dataset). */
  data: string;
  /** Name of the simulated sample. */
  mc: string;
  /** Method in words: tag definition, mass window, background subtraction, interval. */
  method: string;
}

/**
 * Data-to-simulation scale factors SF = ε_data/ε_MC of one working point in pT × |η| bins.
 * All 2D arrays are indexed `[ptBin][absEtaBin]`; bin i covers `ptEdges[i] <= pt < ptEdges[i+1]`
 * (GeV) and `absEtaEdges[j] <= |η| < absEtaEdges[j+1]`. Uncertainties are symmetric, 68.3 %:
 * `stat` from both efficiencies, `syst` the quadrature sum over sources of the largest deviation
 * per source, itemised in `systBySource`. Plain JSON (no Infinity): the last pT edge is finite,
 * the correctionlib export may open it to "inf".
 */
export interface ScaleFactorTable {
  /** Name of the working point or correction, e.g. `electron-id-tight`. */
  name: string;
  ptEdges: number[];
  absEtaEdges: number[];
  values: number[][];
  stat: number[][];
  syst: number[][];
  systBySource: Record<string, number[][]>;
  effData: BinEfficiency[][];
  effMc: BinEfficiency[][];
  provenance: ScaleFactorProvenance;
}
