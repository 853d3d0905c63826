import { at } from '../array.ts';
import { DataFormatError, PhysicsInputError } from '../errors.ts';
import type { Dataset } from '../io/dataset.ts';
import { invariantMass } from '../kinematics/four-vector.ts';
import type { ColumnarSample } from '../sim/sample.ts';
import type { ZeeCategory } from './energy-scale.ts';
import type { ScaleFactorTable } from './scale-factor-table.ts';
import { measureScaleFactors, type ScaleFactorMeasurement, type ScaleFactorVariation } from './scale-factors.ts';
import { type EfficiencyOptions, makeProbeSet, type ProbeSet } from './tag-and-probe.ts';

/** Per-electron columns of the CMS Z→ee open-data file (one array entry per pair). */
export interface CmsElectronColumns {
  /** Transverse momentum [GeV]. */
  pt: Float64Array;
  eta: Float64Array;
  /** Azimuth [rad]. */
  phi: Float64Array;
  /** ±1. */
  charge: Float64Array;
  /** 1 for an ECAL-barrel electron (`type` EB), 0 for endcap (EE). */
  isBarrel: Uint8Array;
  /** Lateral shower width σ_iηiη. */
  sigmaIetaIeta: Float64Array;
  /** Hadronic over electromagnetic energy H/E. */
  hOverE: Float64Array;
  /** Track, ECAL and HCAL isolation sums [GeV]. */
  isoTrack: Float64Array;
  isoEcal: Float64Array;
  isoHcal: Float64Array;
}

/** The pairs of the CMS 2011A Z→ee open-data CSV (CMS collaboration, CERN Open Data Portal, record 545, CC-BY 4.0). */
export interface CmsZeePairs {
  n: number;
  run: Float64Array;
  event: Float64Array;
  electrons: [CmsElectronColumns, CmsElectronColumns];
}

/** Options of {@link cmsZeePairsFromDataset}. */
export interface CmsZeeDatasetOptions {
  /** Use at most the first this many rows (default all). */
  maxRows?: number;
}

/**
 * The pairs of the CMS Z→ee CSV from the dataset {@link readCsv} made of it (columns `Run,Event`,
 * then `pt,eta,phi,Q,type,sigmaEtaEta,HoverE,isoTrack,isoEcal,isoHcal` with suffix 1 and 2; other
 * columns are ignored). Strict: a missing column, a numeric column read as text, a value that is
 * not finite, a charge other than ±1, a pt ≤ 0 or a `type` other than EB/EE throws
 * {@link DataFormatError} naming the file (the dataset's name), the row (the 1-based line of the
 * file, header = 1) and the column.
 */
export function cmsZeePairsFromDataset(ds: Dataset, options: CmsZeeDatasetOptions = {}): CmsZeePairs {
  const file = ds.name;
  const n = Math.min(ds.n, options.maxRows ?? Number.POSITIVE_INFINITY);
  const numeric = (name: string): ArrayLike<number> => {
    const c = ds.columns[name];
    if (c === undefined) throw new DataFormatError(`${file}: missing column ${name}`, { file, row: 1, column: name });
    if (Array.isArray(c)) {
      throw new DataFormatError(`${file}: column ${name} holds text, not numbers`, { file, row: 1, column: name });
    }
    return c;
  };
  const fail = (r: number, column: string, what: string): never => {
    throw new DataFormatError(`${file}: row ${r + 2}, column ${column}: ${what}`, { file, row: r + 2, column });
  };
  const copy = (name: string, check?: (v: number) => string | null): Float64Array => {
    const c = numeric(name);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const v = at(c, r);
      if (!Number.isFinite(v)) fail(r, name, `${v} is not a finite number`);
      const problem = check?.(v);
      if (problem) fail(r, name, problem);
      out[r] = v;
    }
    return out;
  };
  const electron = (k: 1 | 2): CmsElectronColumns => {
    const typeName = `type${k}`;
    const types = ds.columns[typeName];
    if (!Array.isArray(types)) {
      throw new DataFormatError(`${file}: column ${typeName} (EB/EE) is missing or not text`, {
        file,
        row: 1,
        column: typeName,
      });
    }
    const isBarrel = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const t = types[r];
      if (t !== 'EB' && t !== 'EE') fail(r, typeName, `"${t}" is neither EB nor EE`);
      isBarrel[r] = t === 'EB' ? 1 : 0;
    }
    return {
      pt: copy(`pt${k}`, (v) => (v > 0 ? null : `pt ${v} is not positive`)),
      eta: copy(`eta${k}`),
      phi: copy(`phi${k}`),
      charge: copy(`Q${k}`, (v) => (Math.abs(v) === 1 ? null : `charge ${v} is not ±1`)),
      isBarrel,
      sigmaIetaIeta: copy(`sigmaEtaEta${k}`),
      hOverE: copy(`HoverE${k}`),
      isoTrack: copy(`isoTrack${k}`),
      isoEcal: copy(`isoEcal${k}`),
      isoHcal: copy(`isoHcal${k}`),
    };
  };
  return { n, run: copy('Run'), event: copy('Event'), electrons: [electron(1), electron(2)] };
}

/** Cuts of a cut-based identification in one ECAL region (relative isolations: sum/pt). */
export interface CmsIdCuts {
  /** σ_iηiη < this. */
  sigmaIetaIeta: number;
  /** H/E < this. */
  hOverE: number;
  /** isoTrack/pt < this. */
  relIsoTrack: number;
  /** isoEcal/pt < this. */
  relIsoEcal: number;
  /** isoHcal/pt < this. */
  relIsoHcal: number;
}

/** A CMS-style cut-based electron identification, separate for barrel and endcap. */
export interface CmsCutBasedId {
  name: string;
  barrel: CmsIdCuts;
  endcap: CmsIdCuts;
}

/**
 * The 2010–2011 CMS "VBTF" simple cut-based working point of 80 % efficiency (WP80), restricted
 * to the variables of the open-data file (the track-match Δη, Δφ and conversion cuts of the full
 * working point are not available there). Values: CMS, "Electron reconstruction and identification
 * at √s = 7 TeV", CMS-PAS-EGM-10-004 (2010), and the W/Z cross-section paper, JHEP 10 (2011) 132
 * (arXiv:1107.4789), table 2.
 */
export const CMS_WP80: CmsCutBasedId = {
  name: 'cms-vbtf-wp80',
  barrel: { sigmaIetaIeta: 0.01, hOverE: 0.04, relIsoTrack: 0.09, relIsoEcal: 0.07, relIsoHcal: 0.1 },
  endcap: { sigmaIetaIeta: 0.03, hOverE: 0.025, relIsoTrack: 0.04, relIsoEcal: 0.05, relIsoHcal: 0.025 },
};

/** The looser VBTF WP95 on the same variables (same references as {@link CMS_WP80}). */
export const CMS_WP95: CmsCutBasedId = {
  name: 'cms-vbtf-wp95',
  barrel: { sigmaIetaIeta: 0.01, hOverE: 0.15, relIsoTrack: 0.15, relIsoEcal: 2, relIsoHcal: 0.12 },
  endcap: { sigmaIetaIeta: 0.03, hOverE: 0.07, relIsoTrack: 0.08, relIsoEcal: 0.06, relIsoHcal: 0.05 },
};

/** Whether electron `row` passes `id` (barrel cuts for EB electrons, endcap cuts for EE). */
export function passesCmsCutBasedId(e: CmsElectronColumns, row: number, id: CmsCutBasedId): boolean {
  const cuts = e.isBarrel[row] ? id.barrel : id.endcap;
  const pt = at(e.pt, row);
  return (
    at(e.sigmaIetaIeta, row) < cuts.sigmaIetaIeta &&
    at(e.hOverE, row) < cuts.hOverE &&
    at(e.isoTrack, row) / pt < cuts.relIsoTrack &&
    at(e.isoEcal, row) / pt < cuts.relIsoEcal &&
    at(e.isoHcal, row) / pt < cuts.relIsoHcal
  );
}

/** The ECAL barrel–endcap transition 1.4442 < |η| < 1.566, excluded from CMS electron analyses. */
export function inEcalGap(eta: number): boolean {
  const a = Math.abs(eta);
  return a > 1.4442 && a < 1.566;
}

/**
 * Invariant mass [GeV] of two massless particles, m² = 2·pt₁pt₂·(cosh(η₁ − η₂) − cos(φ₁ − φ₂)),
 * computed by {@link invariantMass} on (pt, η, φ, m = 0) in its form without cancellation (the
 * cosh − cos difference loses precision for collinear pairs). pt in GeV, φ in radians.
 * Throws {@link PhysicsInputError} for a non-finite component or a negative pt.
 */
export function masslessPairMass(
  pt1: number,
  eta1: number,
  phi1: number,
  pt2: number,
  eta2: number,
  phi2: number,
): number {
  return invariantMass([
    { pt: pt1, eta: eta1, phi: phi1, mass: 0 },
    { pt: pt2, eta: eta2, phi: phi2, mass: 0 },
  ]);
}

/** Mass [GeV] of pair `row`, its two electrons taken as massless ({@link masslessPairMass}). */
export function cmsPairMass(pairs: CmsZeePairs, row: number): number {
  const [a, b] = pairs.electrons;
  return masslessPairMass(at(a.pt, row), at(a.eta, row), at(a.phi, row), at(b.pt, row), at(b.eta, row), at(b.phi, row));
}

/**
 * The pairs of a Z-peak fit: opposite-sign pairs whose two electrons pass `id` (default
 * {@link CMS_WP95}) and lie outside the ECAL gap, with their mass [GeV] ({@link cmsPairMass}) and
 * category by the ECAL region of each electron (BB, BE or EE, from the barrel flags).
 */
export function cmsZPeakPairs(
  pairs: CmsZeePairs,
  id: CmsCutBasedId = CMS_WP95,
): { mass: number[]; category: ZeeCategory[] } {
  const [a, b] = pairs.electrons;
  const mass: number[] = [];
  const category: ZeeCategory[] = [];
  for (let r = 0; r < pairs.n; r++) {
    if (at(a.charge, r) === at(b.charge, r)) continue;
    if (inEcalGap(at(a.eta, r)) || inEcalGap(at(b.eta, r))) continue;
    if (!passesCmsCutBasedId(a, r, id) || !passesCmsCutBasedId(b, r, id)) continue;
    mass.push(cmsPairMass(pairs, r));
    const barrelA = a.isBarrel[r] === 1;
    const barrelB = b.isBarrel[r] === 1;
    category.push(barrelA && barrelB ? 'BB' : barrelA || barrelB ? 'BE' : 'EE');
  }
  return { mass, category };
}

/** Options of {@link cmsTagAndProbe}. */
export interface CmsTagAndProbeOptions {
  /** The identification whose efficiency is measured on probes (or give `probePasses`). */
  id?: CmsCutBasedId;
  /**
   * A probe selection replacing `id` (e.g. a trained classifier's cut on the same variables):
   * whether electron `row` of `e` passes.
   */
  probePasses?: (e: CmsElectronColumns, row: number) => boolean;
  /** Tag identification (default {@link CMS_WP80}). */
  tagId?: CmsCutBasedId;
  /** Minimum tag pt [GeV] (default 30). */
  tagPtMin?: number;
  /** Tag only in the barrel (a tighter tag definition; default false). */
  tagBarrelOnly?: boolean;
}

/**
 * Tag–probe pairs from the CMS Z→ee pairs: each electron that passes the tag identification, has
 * pt ≥ tagPtMin and lies outside the ECAL gap is a tag, the other electron (outside the gap) its
 * probe; a pair with two tags gives two probes. Charges are kept so that same-sign pairs can
 * estimate the background. The mass is that of the two electrons taken as massless.
 */
export function cmsTagAndProbe(pairs: CmsZeePairs, options: CmsTagAndProbeOptions): ProbeSet {
  const tagId = options.tagId ?? CMS_WP80;
  const tagPtMin = options.tagPtMin ?? 30;
  const id = options.id;
  const probePasses =
    options.probePasses ?? (id ? (e: CmsElectronColumns, row: number) => passesCmsCutBasedId(e, row, id) : undefined);
  if (!probePasses) throw new PhysicsInputError('give the probe identification id or probePasses', { field: 'id' });
  if (!(tagPtMin >= 0)) throw new PhysicsInputError('tagPtMin must be ≥ 0', { field: 'tagPtMin' });
  const mass: number[] = [];
  const pt: number[] = [];
  const eta: number[] = [];
  const tagCharge: number[] = [];
  const probeCharge: number[] = [];
  const passed: number[] = [];
  const [a, b] = pairs.electrons;
  for (let r = 0; r < pairs.n; r++) {
    const m = cmsPairMass(pairs, r);
    for (const [tag, probe] of [
      [a, b],
      [b, a],
    ] as const) {
      if (inEcalGap(at(tag.eta, r)) || inEcalGap(at(probe.eta, r))) continue;
      if (at(tag.pt, r) < tagPtMin || (options.tagBarrelOnly && !tag.isBarrel[r])) continue;
      if (!passesCmsCutBasedId(tag, r, tagId)) continue;
      mass.push(m);
      pt.push(at(probe.pt, r));
      eta.push(at(probe.eta, r));
      tagCharge.push(at(tag.charge, r));
      probeCharge.push(at(probe.charge, r));
      passed.push(probePasses(probe, r) ? 1 : 0);
    }
  }
  return makeProbeSet({ mass, pt, eta, tagCharge, probeCharge, passed });
}

/**
 * The pairs of a simulated sample in the format of the CMS file (from `generateCmsZee`: columns
 * `pt1, eta1, phi1, Q1, isBarrel1, sigmaEtaEta1, HoverE1, isoTrack1, isoEcal1, isoHcal1` and the
 * same with suffix 2), so that the simulation goes through exactly the selection and
 * tag-and-probe code of the data. `run` is 1 and `event` the row index. Throws
 * {@link PhysicsInputError} naming a missing column.
 */
export function cmsZeePairsFromSample(sample: ColumnarSample): CmsZeePairs {
  const column = (name: string): Float32Array => {
    const c = sample.columns[name];
    if (!c) throw new PhysicsInputError(`sample has no column ${name}`, { field: name });
    return c;
  };
  const electron = (k: 1 | 2): CmsElectronColumns => ({
    pt: Float64Array.from(column(`pt${k}`)),
    eta: Float64Array.from(column(`eta${k}`)),
    phi: Float64Array.from(column(`phi${k}`)),
    charge: Float64Array.from(column(`Q${k}`)),
    isBarrel: Uint8Array.from(column(`isBarrel${k}`), (v) => (v ? 1 : 0)),
    sigmaIetaIeta: Float64Array.from(column(`sigmaEtaEta${k}`)),
    hOverE: Float64Array.from(column(`HoverE${k}`)),
    isoTrack: Float64Array.from(column(`isoTrack${k}`)),
    isoEcal: Float64Array.from(column(`isoEcal${k}`)),
    isoHcal: Float64Array.from(column(`isoHcal${k}`)),
  });
  return {
    n: sample.n,
    run: new Float64Array(sample.n).fill(1),
    event: Float64Array.from({ length: sample.n }, (_, i) => i),
    electrons: [electron(1), electron(2)],
  };
}

/** Nominal tag-and-probe binning of the CMS scale factors: probe pT [GeV] and |η| edges. */
export const CMS_SF_PT_EDGES: readonly number[] = [25, 30, 35, 40, 50, 300];
/** |η| edges: barrel 0–0.8–1.4442, endcap 1.566–2.0–2.5 (the gap 1.4442–1.566 holds no probe). */
export const CMS_SF_ABS_ETA_EDGES: readonly number[] = [0, 0.8, 1.4442, 2.0, 2.5];

/** Arguments of {@link measureCmsScaleFactors}. */
export interface CmsScaleFactorArgs {
  /** Name of the working point in the table, e.g. `cms-vbtf-wp80`. */
  name: string;
  /** Real (or pseudo-) data pairs. */
  data: CmsZeePairs;
  /** Simulated pairs (e.g. {@link cmsZeePairsFromSample} of `generateCmsZee`). */
  mc: CmsZeePairs;
  /** The cut-based identification measured on probes, or … */
  id?: CmsCutBasedId;
  /** … any probe selection on the same variables (a trained classifier's cut). */
  probePasses?: (e: CmsElectronColumns, row: number) => boolean;
  /** Probe pT edges [GeV] (default {@link CMS_SF_PT_EDGES}). */
  ptEdges?: readonly number[];
  /** Probe |η| edges (default {@link CMS_SF_ABS_ETA_EDGES}). */
  absEtaEdges?: readonly number[];
  /** Include the mass-fit background variation (slower; default true). */
  fitVariation?: boolean;
  /** Where the samples came from, for the table's provenance. */
  dataName: string;
  mcName: string;
}

/**
 * Scale factors SF = ε_data/ε_MC of a CMS electron identification by tag-and-probe on Z→ee pairs,
 * data and MC through the same {@link cmsTagAndProbe} and {@link measureScaleFactors}:
 * tag = {@link CMS_WP80}, pt ≥ 30 GeV, outside the ECAL gap; probes in pT × |η| bins; nominal
 * background: opposite-sign minus same-sign pairs in 81 ≤ m < 101 GeV, in data and in MC alike
 * (in MC the same-sign pairs are charge flips of the signal, a per-mille correction).
 * Systematic sources (largest |ΔSF| per source, added in quadrature): `mass-window` (76–106 and
 * 86–96 GeV), `tag` (pt ≥ 35 GeV and barrel-only tags), `background` (linear sidebands 60–70 and
 * 110–120 GeV; and, with `fitVariation`, a Crystal Ball + exponential fit of the passing and
 * failing spectra in 60–120 GeV). Statistical uncertainty from both efficiencies (Clopper–Pearson,
 * or Gaussian after subtraction). Reference: CMS, JINST 10 (2015) P06005 (arXiv:1502.02701), §6.
 * Throws {@link PhysicsInputError} when neither `id` nor `probePasses` is given.
 */
export function measureCmsScaleFactors(args: CmsScaleFactorArgs): ScaleFactorMeasurement {
  const select = { id: args.id, probePasses: args.probePasses };
  const probes = (pairs: CmsZeePairs, tight: boolean) =>
    cmsTagAndProbe(pairs, tight ? { ...select, tagPtMin: 35, tagBarrelOnly: true } : select);
  const options: EfficiencyOptions = {
    ptEdges: args.ptEdges ?? CMS_SF_PT_EDGES,
    absEtaEdges: args.absEtaEdges ?? CMS_SF_ABS_ETA_EDGES,
    massWindow: [81, 101],
    background: { kind: 'same-sign' },
  };
  const variations: ScaleFactorVariation[] = [
    { source: 'mass-window', label: '76-106', options: { massWindow: [76, 106] } },
    { source: 'mass-window', label: '86-96', options: { massWindow: [86, 96] } },
    { source: 'tag', label: 'pt>35 barrel', data: probes(args.data, true), mc: probes(args.mc, true) },
    {
      source: 'background',
      label: 'sidebands',
      options: { background: { kind: 'sidebands', low: [60, 70], high: [110, 120] } },
    },
  ];
  if (args.fitVariation ?? true) {
    variations.push({
      source: 'background',
      label: 'fit',
      options: { background: { kind: 'fit', range: [60, 120], binWidth: 2 } },
    });
  }
  return measureScaleFactors({
    name: args.name,
    data: probes(args.data, false),
    mc: probes(args.mc, false),
    options,
    variations,
    provenance: {
      data: args.dataName,
      mc: args.mcName,
      method:
        'tag-and-probe on Z→ee: tag CMS VBTF WP80, pt ≥ 30 GeV, outside the ECAL gap; OS − SS in 81–101 GeV (data and MC); ' +
        'syst: mass window 76–106/86–96, tag pt ≥ 35 barrel, sidebands 60–70/110–120 and CB+exp fit',
    },
  });
}

/** Regions of the inclusive CMS scale factors: |η| edges of the barrel and the endcap beside the ECAL gap. */
export const CMS_SF_REGIONS = [
  { region: 'barrel |η|<1.4442', absEtaEdges: [0, 1.4442] },
  { region: 'endcap |η|>1.566', absEtaEdges: [1.566, 2.5] },
] as const;

/**
 * Inclusive scale factors of the barrel and the endcap ({@link CMS_SF_REGIONS}), one bin each of
 * pT 25–300 GeV: {@link measureCmsScaleFactors} on those bins, without the fit variation and
 * without provenance. One table per region, in the order of {@link CMS_SF_REGIONS}.
 */
export function measureInclusiveCmsScaleFactors(
  args: Pick<CmsScaleFactorArgs, 'name' | 'data' | 'mc' | 'id' | 'probePasses'>,
): { region: string; table: ScaleFactorTable }[] {
  return CMS_SF_REGIONS.map(({ region, absEtaEdges }) => ({
    region,
    table: measureCmsScaleFactors({
      ...args,
      ptEdges: [25, 300],
      absEtaEdges,
      fitVariation: false,
      dataName: '',
      mcName: '',
    }).table,
  }));
}
