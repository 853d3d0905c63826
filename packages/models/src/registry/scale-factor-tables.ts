/**
 * The scale-factor tables file of a calibrated bundle (`calibration.tables`, format
 * `hepml-scale-factors/1`): per working point the full {@link ScaleFactorTable} of
 * `@hepml/physics` — SF with statistical and systematic uncertainties kept apart, the efficiencies
 * in data and MC and the samples they came from — which the correctionlib file
 * (`calibration.scaleFactors`) cannot carry. The registry stores it in `scale_factor_tables` /
 * `scale_factor_bins` so the dashboard can draw heatmaps and efficiencies without reading R2.
 */
import type { BinEfficiency, ScaleFactorTable } from '@hepml/physics';
import { BundleError } from '../errors.ts';

/** On-disk form of the tables file. */
export interface ScaleFactorTablesV1 {
  format: 'hepml-scale-factors';
  formatVersion: 1;
  /** One table per working point of the model (names as in `manifest.workingPoints`). */
  tables: { workingPoint: string; table: ScaleFactorTable }[];
}

/** One row of `scale_factor_bins` (pt in GeV, `ptHi` null for an open last bin). */
export interface ScaleFactorBinRow {
  ptLo: number;
  ptHi: number | null;
  absEtaLo: number;
  absEtaHi: number;
  value: number;
  stat: number;
  syst: number;
  effData: number | null;
  effMc: number | null;
}

/** Serialises tables as the bundle's `hepml-scale-factors/1` JSON file (UTF-8 bytes). */
export function encodeScaleFactorTables(tables: ScaleFactorTablesV1['tables']): Uint8Array {
  const file: ScaleFactorTablesV1 = { format: 'hepml-scale-factors', formatVersion: 1, tables };
  return new TextEncoder().encode(`${JSON.stringify(file)}\n`);
}

function fail(path: string, field: string, message: string): never {
  throw new BundleError(`${path}: ${field}: ${message}`, { field });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numberGrid(path: string, v: unknown, field: string, rows: number, cols: number, finite: boolean): number[][] {
  if (!Array.isArray(v) || v.length !== rows) fail(path, field, `must be an array of ${rows} rows`);
  return v.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) fail(path, `${field}[${i}]`, `must be an array of ${cols} numbers`);
    return row.map((x, j) => {
      // JSON has no NaN: an empty bin's efficiency or SF is written as null and read back as NaN.
      if (x === null && !finite) return Number.NaN;
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, `${field}[${i}][${j}]`, 'must be a finite number');
      return x;
    });
  });
}

function edges(path: string, v: unknown, field: string): number[] {
  if (!Array.isArray(v) || v.length < 2) fail(path, field, 'must be an array of at least two edges');
  let last = Number.NEGATIVE_INFINITY;
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, `${field}[${i}]`, 'must be a finite number');
    if (!(x > last)) fail(path, `${field}[${i}]`, 'edges must be strictly increasing');
    last = x;
    return x;
  });
}

function efficiencyGrid(path: string, v: unknown, field: string, rows: number, cols: number): BinEfficiency[][] {
  if (!Array.isArray(v) || v.length !== rows) fail(path, field, `must be an array of ${rows} rows`);
  return v.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) fail(path, `${field}[${i}]`, `must be an array of ${cols} bins`);
    return row.map((b, j): BinEfficiency => {
      const f = `${field}[${i}][${j}]`;
      if (!isRecord(b)) fail(path, f, 'must be an object');
      const out: Record<string, number> = {};
      for (const k of Object.keys(b)) {
        if (!['value', 'errorLow', 'errorHigh', 'passed', 'total'].includes(k)) fail(path, `${f}.${k}`, 'unknown key');
      }
      for (const k of ['value', 'errorLow', 'errorHigh', 'passed', 'total'] as const) {
        const x = b[k];
        if (x === null) out[k] = Number.NaN;
        else if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, `${f}.${k}`, 'must be a finite number');
        else out[k] = x;
      }
      const e = out as unknown as BinEfficiency;
      if (!Number.isNaN(e.value) && (e.value < 0 || e.value > 1)) fail(path, `${f}.value`, 'must lie in [0, 1]');
      return e;
    });
  });
}

/**
 * Parses and validates a `hepml-scale-factors/1` file (bytes of the bundle file at `path`):
 * unknown keys, ragged grids, non-increasing edges, negative uncertainties, efficiencies outside
 * [0, 1] and duplicate working points are {@link BundleError}s naming the file and the JSON path.
 */
export function parseScaleFactorTables(path: string, bytes: Uint8Array): ScaleFactorTablesV1 {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch (cause) {
    throw new BundleError(`${path}: not valid UTF-8 JSON`, { field: path, cause });
  }
  if (!isRecord(json)) fail(path, '(root)', 'must be a JSON object');
  for (const k of Object.keys(json))
    if (!['format', 'formatVersion', 'tables'].includes(k)) fail(path, k, 'unknown key');
  if (json.format !== 'hepml-scale-factors') fail(path, 'format', 'must be "hepml-scale-factors"');
  if (json.formatVersion !== 1) fail(path, 'formatVersion', 'must be 1');
  if (!Array.isArray(json.tables) || json.tables.length === 0) fail(path, 'tables', 'must be a non-empty array');
  const seen = new Set<string>();
  const tables = json.tables.map((entry, t) => {
    const f = `tables[${t}]`;
    if (!isRecord(entry)) fail(path, f, 'must be an object');
    for (const k of Object.keys(entry))
      if (!['workingPoint', 'table'].includes(k)) fail(path, `${f}.${k}`, 'unknown key');
    const wp = entry.workingPoint;
    if (typeof wp !== 'string' || wp === '') fail(path, `${f}.workingPoint`, 'must be a non-empty string');
    if (seen.has(wp)) fail(path, `${f}.workingPoint`, `duplicate working point "${wp}"`);
    seen.add(wp);
    const raw = entry.table;
    const g = `${f}.table`;
    if (!isRecord(raw)) fail(path, g, 'must be an object');
    const allowed = ['name', 'ptEdges', 'absEtaEdges', 'values', 'stat', 'syst', 'systBySource', 'effData', 'effMc'];
    for (const k of Object.keys(raw))
      if (![...allowed, 'provenance'].includes(k)) fail(path, `${g}.${k}`, 'unknown key');
    if (typeof raw.name !== 'string') fail(path, `${g}.name`, 'must be a string');
    const ptEdges = edges(path, raw.ptEdges, `${g}.ptEdges`);
    const absEtaEdges = edges(path, raw.absEtaEdges, `${g}.absEtaEdges`);
    if ((absEtaEdges[0] as number) < 0) fail(path, `${g}.absEtaEdges[0]`, 'must be ≥ 0 (|η|)');
    const nPt = ptEdges.length - 1;
    const nEta = absEtaEdges.length - 1;
    const values = numberGrid(path, raw.values, `${g}.values`, nPt, nEta, false);
    const stat = numberGrid(path, raw.stat, `${g}.stat`, nPt, nEta, false);
    const syst = numberGrid(path, raw.syst, `${g}.syst`, nPt, nEta, false);
    for (const [name, grid] of [
      ['stat', stat],
      ['syst', syst],
    ] as const) {
      for (let i = 0; i < grid.length; i++) {
        const row = grid[i] as number[];
        for (let j = 0; j < row.length; j++) {
          if ((row[j] as number) < 0) fail(path, `${g}.${name}[${i}][${j}]`, 'must be ≥ 0');
        }
      }
    }
    const systBySource: Record<string, number[][]> = {};
    if (raw.systBySource !== undefined) {
      if (!isRecord(raw.systBySource)) fail(path, `${g}.systBySource`, 'must be an object');
      for (const [k, v] of Object.entries(raw.systBySource)) {
        systBySource[k] = numberGrid(path, v, `${g}.systBySource.${k}`, nPt, nEta, false);
      }
    }
    const p = raw.provenance;
    if (!isRecord(p)) fail(path, `${g}.provenance`, 'must be an object');
    for (const k of Object.keys(p))
      if (!['data', 'mc', 'method'].includes(k)) fail(path, `${g}.provenance.${k}`, 'unknown key');
    for (const k of ['data', 'mc', 'method'] as const) {
      if (typeof p[k] !== 'string') fail(path, `${g}.provenance.${k}`, 'must be a string');
    }
    const table: ScaleFactorTable = {
      name: raw.name,
      ptEdges,
      absEtaEdges,
      values,
      stat,
      syst,
      systBySource,
      effData: efficiencyGrid(path, raw.effData, `${g}.effData`, nPt, nEta),
      effMc: efficiencyGrid(path, raw.effMc, `${g}.effMc`, nPt, nEta),
      provenance: { data: p.data as string, mc: p.mc as string, method: p.method as string },
    };
    return { workingPoint: wp, table };
  });
  return { format: 'hepml-scale-factors', formatVersion: 1, tables };
}

/**
 * The `scale_factor_bins` rows of one table. A bin whose SF is not finite (no probes) is left
 * out: the registry stores measured bins only, and the heatmap shows the gap.
 */
export function scaleFactorBinRows(table: ScaleFactorTable, openLastPtBin = false): ScaleFactorBinRow[] {
  const rows: ScaleFactorBinRow[] = [];
  const nPt = table.ptEdges.length - 1;
  for (let i = 0; i < nPt; i++) {
    for (let j = 0; j < table.absEtaEdges.length - 1; j++) {
      const value = table.values[i]?.[j] ?? Number.NaN;
      const stat = table.stat[i]?.[j] ?? Number.NaN;
      const syst = table.syst[i]?.[j] ?? Number.NaN;
      if (!Number.isFinite(value) || !Number.isFinite(stat) || !Number.isFinite(syst)) continue;
      const effData = table.effData[i]?.[j]?.value ?? Number.NaN;
      const effMc = table.effMc[i]?.[j]?.value ?? Number.NaN;
      rows.push({
        ptLo: table.ptEdges[i] as number,
        ptHi: openLastPtBin && i === nPt - 1 ? null : (table.ptEdges[i + 1] as number),
        absEtaLo: table.absEtaEdges[j] as number,
        absEtaHi: table.absEtaEdges[j + 1] as number,
        value,
        stat,
        syst,
        effData: Number.isFinite(effData) ? effData : null,
        effMc: Number.isFinite(effMc) ? effMc : null,
      });
    }
  }
  return rows;
}
