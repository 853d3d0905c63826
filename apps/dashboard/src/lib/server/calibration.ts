import {
  type BlobStore,
  type Principal,
  parseScaleFactorTables,
  type RegistryDb,
  resolveVersion,
  scaleFactorsOf,
} from '@hepml/models/registry';
import { type CorrectionSetV2, type ScaleFactorTable, scaleFactorsToCorrectionSet } from '@hepml/physics';
import { orNotFound } from './model';

/** One pT × |η| cell: SF = ε_data/ε_MC with its statistical and systematic uncertainty. */
export interface ScaleFactorCell {
  value: number;
  stat: number;
  syst: number;
  effData: number | null;
  effMc: number | null;
  /** 68.3 % intervals [low, high] of the efficiencies, from the version's tables file when it has one. */
  effDataInterval?: [number, number] | null;
  effMcInterval?: [number, number] | null;
}

/**
 * A working point's scale factors as a grid: `cells[i][j]` covers `ptEdges[i] <= pt < ptEdges[i+1]`
 * (GeV; a null last edge means the bin is open to +∞) and `absEtaEdges[j] <= |η| < absEtaEdges[j+1]`;
 * null where the table has no such bin.
 */
export interface ScaleFactorGrid {
  workingPoint: string;
  dataSample: string;
  mcSample: string;
  method: string;
  ptEdges: (number | null)[];
  absEtaEdges: number[];
  cells: (ScaleFactorCell | null)[][];
}

/**
 * The efficiency intervals of a version's full tables file (`calibration.tables`, read from the
 * store and validated), by working point and `[ptBin][absEtaBin]` as absolute [low, high]: the
 * registry's bins keep the efficiencies only. Undefined when the version has no tables file.
 */
async function efficiencyIntervals(
  store: BlobStore,
  path: string | undefined,
  files: Record<string, { r2Key: string }>,
): Promise<
  Map<string, { ptEdges: number[]; absEtaEdges: number[]; data: Interval[][]; mc: Interval[][] }> | undefined
> {
  const key = path ? files[path]?.r2Key : undefined;
  if (!path || !key) return undefined;
  const object = await store.get(key);
  if (!object) return undefined;
  const file = parseScaleFactorTables(path, new Uint8Array(await object.arrayBuffer()));
  const interval = (e: { value: number; errorLow: number; errorHigh: number }): Interval =>
    Number.isFinite(e.value) && Number.isFinite(e.errorLow) && Number.isFinite(e.errorHigh)
      ? [e.value - e.errorLow, e.value + e.errorHigh]
      : null;
  return new Map(
    file.tables.map(({ workingPoint, table }) => [
      workingPoint,
      {
        ptEdges: table.ptEdges,
        absEtaEdges: table.absEtaEdges,
        data: table.effData.map((row) => row.map(interval)),
        mc: table.effMc.map((row) => row.map(interval)),
      },
    ]),
  );
}

type Interval = [number, number] | null;

/**
 * The model version's scale-factor tables, as a reader allowed to see the model sees them; with
 * `store`, each cell also carries its efficiencies' 68.3 % intervals from the tables file.
 */
export async function scaleFactorGrids(
  db: RegistryDb,
  name: string,
  version: number | 'latest',
  viewer: Principal,
  store?: BlobStore,
): Promise<{ name: string; task: string; version: number; calibrationFile: string | null; grids: ScaleFactorGrid[] }> {
  const resolved = await orNotFound(resolveVersion(db, name, version, viewer));
  const tables = await orNotFound(scaleFactorsOf(db, name, resolved.version, viewer));
  const intervals = store
    ? await efficiencyIntervals(store, resolved.manifest.calibration?.tables, resolved.files)
    : undefined;
  const grids = tables.map((table): ScaleFactorGrid => {
    const own = table.bins;
    const ptLos = [...new Set(own.map((b) => b.ptLo))].sort((a, b) => a - b);
    const etaLos = [...new Set(own.map((b) => b.absEtaLo))].sort((a, b) => a - b);
    const lastPt = own.find((b) => b.ptLo === ptLos[ptLos.length - 1]);
    const lastEta = own.find((b) => b.absEtaLo === etaLos[etaLos.length - 1]);
    const full = intervals?.get(table.workingPoint);
    // Bins of the file and of the registry are matched by their low edges.
    const fileBin = (pt: number, eta: number, which: 'data' | 'mc'): Interval =>
      full?.[which][full.ptEdges.indexOf(pt)]?.[full.absEtaEdges.indexOf(eta)] ?? null;
    return {
      workingPoint: table.workingPoint,
      dataSample: table.dataSample,
      mcSample: table.mcSample,
      method: table.method,
      ptEdges: [...ptLos, lastPt?.ptHi ?? null],
      absEtaEdges: [...etaLos, lastEta?.absEtaHi ?? 0],
      cells: ptLos.map((pt) =>
        etaLos.map((eta) => {
          const b = own.find((x) => x.ptLo === pt && x.absEtaLo === eta);
          if (!b) return null;
          const cell: ScaleFactorCell = {
            value: b.value,
            stat: b.stat,
            syst: b.syst,
            effData: b.effData,
            effMc: b.effMc,
          };
          if (full) {
            cell.effDataInterval = fileBin(pt, eta, 'data');
            cell.effMcInterval = fileBin(pt, eta, 'mc');
          }
          return cell;
        }),
      ),
    };
  });
  return {
    name,
    task: resolved.task,
    version: resolved.version,
    calibrationFile: resolved.manifest.calibration?.scaleFactors ?? null,
    grids,
  };
}

/**
 * The grids as one correctionlib schema-v2 CorrectionSet, one Correction per working point named
 * `<model>-<working point>` (inputs syst, pt [GeV], abseta; up/down = SF ± √(stat² + syst²)); an
 * open last pT bin is written as "inf". Bins missing from a table are an error of the exporter.
 */
export function gridsToCorrectionSet(
  model: string,
  version: number,
  grids: readonly ScaleFactorGrid[],
): CorrectionSetV2 {
  const corrections = grids.flatMap((g) => {
    const last = g.ptEdges.length - 1;
    const open = g.ptEdges[last] === null;
    const ptEdges = g.ptEdges.map((e, i) => e ?? (g.ptEdges[i - 1] ?? 0) + 1);
    const pick = (f: (c: ScaleFactorCell) => number) => g.cells.map((row) => row.map((c) => (c ? f(c) : Number.NaN)));
    const table: ScaleFactorTable = {
      name: `${model}-${g.workingPoint}`,
      ptEdges,
      absEtaEdges: g.absEtaEdges,
      values: pick((c) => c.value),
      stat: pick((c) => c.stat),
      syst: pick((c) => c.syst),
      systBySource: {},
      effData: [],
      effMc: [],
      provenance: { data: g.dataSample, mc: g.mcSample, method: g.method },
    };
    return scaleFactorsToCorrectionSet(table, { version, openLastPtBin: open }).corrections;
  });
  return { schema_version: 2, description: `hepml-edge scale factors of ${model} v${version}`, corrections };
}
