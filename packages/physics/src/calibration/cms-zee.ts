import { DataFormatError, PhysicsInputError } from '../errors.ts';
import { makeProbeSet, type ProbeSet } from './tag-and-probe.ts';

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

/** The pairs of the CMS 2011A Z→ee open-data CSV (CERN Open Data Portal, record 545, CC-BY 4.0). */
export interface CmsZeePairs {
  n: number;
  run: Float64Array;
  event: Float64Array;
  electrons: [CmsElectronColumns, CmsElectronColumns];
}

const ELECTRON_FIELDS = {
  pt: 'pt',
  eta: 'eta',
  phi: 'phi',
  charge: 'Q',
  sigmaIetaIeta: 'sigmaEtaEta',
  hOverE: 'HoverE',
  isoTrack: 'isoTrack',
  isoEcal: 'isoEcal',
  isoHcal: 'isoHcal',
} as const;

/** Options of {@link parseCmsZeeCsv}. */
export interface CmsZeeCsvOptions {
  /** File name for error messages (default `Zee_Run2011A.csv`). */
  file?: string;
  /** Read at most this many data rows (default all). */
  maxRows?: number;
}

/**
 * Parses the text of the CMS Z→ee CSV (header `Run,Event,pt1,eta1,phi1,Q1,type1,sigmaEtaEta1,
 * HoverE1,isoTrack1,isoEcal1,isoHcal1,` then the same for electron 2; extra columns are ignored).
 * Strict: a missing column, a row with another number of fields, a value that is not a finite
 * number, a charge other than ±1, a pt ≤ 0 or a `type` other than EB/EE throws
 * {@link DataFormatError} naming the file, the row (1-based line number) and the column.
 */
export function parseCmsZeeCsv(text: string, options: CmsZeeCsvOptions = {}): CmsZeePairs {
  const file = options.file ?? 'Zee_Run2011A.csv';
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const index = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataFormatError(`${file}: missing column ${name}`, { file, row: 1, column: name });
    return i;
  };
  const runIndex = index('Run');
  const eventIndex = index('Event');
  const legs = [1, 2].map((k) => ({
    type: index(`type${k}`),
    fields: (Object.keys(ELECTRON_FIELDS) as (keyof typeof ELECTRON_FIELDS)[]).map(
      (key) => [key, index(`${ELECTRON_FIELDS[key]}${k}`), `${ELECTRON_FIELDS[key]}${k}`] as const,
    ),
  }));
  let last = lines.length;
  while (last > 1 && (lines[last - 1] as string).trim() === '') last--;
  const n = Math.min(last - 1, options.maxRows ?? Number.POSITIVE_INFINITY);
  const electron = (): CmsElectronColumns => ({
    pt: new Float64Array(n),
    eta: new Float64Array(n),
    phi: new Float64Array(n),
    charge: new Float64Array(n),
    isBarrel: new Uint8Array(n),
    sigmaIetaIeta: new Float64Array(n),
    hOverE: new Float64Array(n),
    isoTrack: new Float64Array(n),
    isoEcal: new Float64Array(n),
    isoHcal: new Float64Array(n),
  });
  const pairs: CmsZeePairs = {
    n,
    run: new Float64Array(n),
    event: new Float64Array(n),
    electrons: [electron(), electron()],
  };
  for (let r = 0; r < n; r++) {
    const line = r + 2;
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== header.length) {
      throw new DataFormatError(`${file}: row ${line} has ${cells.length} fields, the header ${header.length}`, {
        file,
        row: line,
      });
    }
    const number = (i: number, column: string): number => {
      const cell = (cells[i] as string).trim();
      const v = cell === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(v)) {
        throw new DataFormatError(`${file}: row ${line}, column ${column}: "${cell}" is not a finite number`, {
          file,
          row: line,
          column,
        });
      }
      return v;
    };
    pairs.run[r] = number(runIndex, 'Run');
    pairs.event[r] = number(eventIndex, 'Event');
    legs.forEach((leg, k) => {
      const e = pairs.electrons[k] as CmsElectronColumns;
      for (const [key, i, column] of leg.fields) {
        const v = number(i, column);
        if (key === 'charge' && Math.abs(v) !== 1) {
          throw new DataFormatError(`${file}: row ${line}, column ${column}: charge ${v} is not ±1`, {
            file,
            row: line,
            column,
          });
        }
        if (key === 'pt' && !(v > 0)) {
          throw new DataFormatError(`${file}: row ${line}, column ${column}: pt ${v} is not positive`, {
            file,
            row: line,
            column,
          });
        }
        e[key][r] = v;
      }
      const type = (cells[leg.type] as string).trim();
      if (type !== 'EB' && type !== 'EE') {
        throw new DataFormatError(`${file}: row ${line}, column type${k + 1}: "${type}" is neither EB nor EE`, {
          file,
          row: line,
          column: `type${k + 1}`,
        });
      }
      e.isBarrel[r] = type === 'EB' ? 1 : 0;
    });
  }
  return pairs;
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
  const pt = e.pt[row] as number;
  return (
    (e.sigmaIetaIeta[row] as number) < cuts.sigmaIetaIeta &&
    (e.hOverE[row] as number) < cuts.hOverE &&
    (e.isoTrack[row] as number) / pt < cuts.relIsoTrack &&
    (e.isoEcal[row] as number) / pt < cuts.relIsoEcal &&
    (e.isoHcal[row] as number) / pt < cuts.relIsoHcal
  );
}

/** The ECAL barrel–endcap transition 1.4442 < |η| < 1.566, excluded from CMS electron analyses. */
export function inEcalGap(eta: number): boolean {
  const a = Math.abs(eta);
  return a > 1.4442 && a < 1.566;
}

/**
 * Invariant mass [GeV] of two massless particles: m² = 2·pt₁pt₂·(cosh(η₁ − η₂) − cos(φ₁ − φ₂)).
 */
export function masslessPairMass(
  pt1: number,
  eta1: number,
  phi1: number,
  pt2: number,
  eta2: number,
  phi2: number,
): number {
  return Math.sqrt(Math.max(0, 2 * pt1 * pt2 * (Math.cosh(eta1 - eta2) - Math.cos(phi1 - phi2))));
}

/** Options of {@link cmsTagAndProbe}. */
export interface CmsTagAndProbeOptions {
  /** The identification whose efficiency is measured on probes. */
  id: CmsCutBasedId;
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
  if (!(tagPtMin >= 0)) throw new PhysicsInputError('tagPtMin must be ≥ 0', { field: 'tagPtMin' });
  const mass: number[] = [];
  const pt: number[] = [];
  const eta: number[] = [];
  const tagCharge: number[] = [];
  const probeCharge: number[] = [];
  const passed: number[] = [];
  const [a, b] = pairs.electrons;
  for (let r = 0; r < pairs.n; r++) {
    const m = masslessPairMass(
      a.pt[r] as number,
      a.eta[r] as number,
      a.phi[r] as number,
      b.pt[r] as number,
      b.eta[r] as number,
      b.phi[r] as number,
    );
    for (const [tag, probe] of [
      [a, b],
      [b, a],
    ] as const) {
      if (inEcalGap(tag.eta[r] as number) || inEcalGap(probe.eta[r] as number)) continue;
      if ((tag.pt[r] as number) < tagPtMin || (options.tagBarrelOnly && !tag.isBarrel[r])) continue;
      if (!passesCmsCutBasedId(tag, r, tagId)) continue;
      mass.push(m);
      pt.push(probe.pt[r] as number);
      eta.push(probe.eta[r] as number);
      tagCharge.push(tag.charge[r] as number);
      probeCharge.push(probe.charge[r] as number);
      passed.push(passesCmsCutBasedId(probe, r, options.id) ? 1 : 0);
    }
  }
  return makeProbeSet({ mass, pt, eta, tagCharge, probeCharge, passed });
}
