/**
 * The scale-factor tables file of a calibrated bundle (`calibration.tables`, format
 * `hepml-scale-factors/1`): per working point the full {@link ScaleFactorTable} of
 * `@hepml/physics` — SF with statistical and systematic uncertainties kept apart, the efficiencies
 * in data and MC and the samples they came from — which the correctionlib file
 * (`calibration.scaleFactors`) cannot carry. The registry stores it in `scale_factor_tables` /
 * `scale_factor_bins` so the dashboard can draw heatmaps and efficiencies without reading R2.
 */
import { Axis, at, PhysicsInputError, type ScaleFactorTable } from '@hepml/physics';
import { z } from 'zod';
import { parseBundleJson } from '../bundle/json.ts';
import { BundleError } from '../errors.ts';

/** On-disk form of the tables file (the output of {@link ScaleFactorTablesV1}). */
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

/** A figure of a bin. JSON has no NaN: an empty bin's value is written as null and read back as NaN. */
const Figure = z
  .number({ error: 'must be a finite number' })
  .nullable()
  .transform((x) => x ?? Number.NaN);

/** Bin edges: at least two, finite and strictly increasing (the check of `Axis.variable`). */
/** An object's wording for a wrong type; an unknown key keeps the house 'unknown key'. */
const OBJECT = {
  error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? undefined : 'must be an object'),
};

const Edges = z
  .array(z.number({ error: 'must be a finite number' }), { error: 'must be an array of at least two edges' })
  .min(2, 'must be an array of at least two edges')
  .superRefine((edges, ctx) => {
    try {
      Axis.variable(edges, { field: 'edges' });
    } catch (err) {
      if (!(err instanceof PhysicsInputError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });

/** A pT × |η| grid of figures; its shape is checked against the edges by the table. */
const Grid = z.array(z.array(Figure, { error: 'must be an array of numbers' }), { error: 'must be an array of rows' });

/** An efficiency with its interval and probe counts; ε in [0, 1] or NaN (no probes). */
const Efficiency = z
  .strictObject({ value: Figure, errorLow: Figure, errorHigh: Figure, passed: Figure, total: Figure }, OBJECT)
  .superRefine((b, ctx) => {
    if (!Number.isNaN(b.value) && (b.value < 0 || b.value > 1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must lie in [0, 1]' });
    }
  });

const EfficiencyGrid = z.array(z.array(Efficiency, { error: 'must be an array of bins' }), {
  error: 'must be an array of rows',
});

const Provenance = z.strictObject(
  {
    data: z.string({ error: 'must be a string' }),
    mc: z.string({ error: 'must be a string' }),
    method: z.string({ error: 'must be a string' }),
  },
  OBJECT,
);

/** Adds an issue unless `grid` has `rows` rows of `cols` entries (`what`: numbers or bins). */
function checkShape(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  grid: readonly (readonly unknown[])[],
  rows: number,
  cols: number,
  what: string,
): void {
  if (grid.length !== rows) {
    ctx.addIssue({ code: 'custom', path, message: `must be an array of ${rows} rows` });
    return;
  }
  grid.forEach((row, i) => {
    if (row.length !== cols)
      ctx.addIssue({ code: 'custom', path: [...path, i], message: `must be an array of ${cols} ${what}` });
  });
}

/** One working point's {@link ScaleFactorTable}: every grid [pT bin][|η| bin], uncertainties ≥ 0. */
const Table = z
  .strictObject(
    {
      name: z.string({ error: 'must be a string' }),
      ptEdges: Edges,
      absEtaEdges: Edges,
      values: Grid,
      stat: Grid,
      syst: Grid,
      systBySource: z
        .record(z.string(), Grid, OBJECT)
        .optional()
        .transform((v) => v ?? {}),
      effData: EfficiencyGrid,
      effMc: EfficiencyGrid,
      provenance: Provenance,
    },
    OBJECT,
  )
  .superRefine((t, ctx) => {
    if (at(t.absEtaEdges, 0) < 0) {
      ctx.addIssue({ code: 'custom', path: ['absEtaEdges', 0], message: 'must be ≥ 0 (|η|)' });
    }
    const nPt = t.ptEdges.length - 1;
    const nEta = t.absEtaEdges.length - 1;
    for (const key of ['values', 'stat', 'syst'] as const) checkShape(ctx, [key], t[key], nPt, nEta, 'numbers');
    for (const key of ['stat', 'syst'] as const) {
      t[key].forEach((row, i) => {
        row.forEach((x, j) => {
          if (x < 0) ctx.addIssue({ code: 'custom', path: [key, i, j], message: 'must be ≥ 0' });
        });
      });
    }
    for (const [k, grid] of Object.entries(t.systBySource))
      checkShape(ctx, ['systBySource', k], grid, nPt, nEta, 'numbers');
    for (const key of ['effData', 'effMc'] as const) checkShape(ctx, [key], t[key], nPt, nEta, 'bins');
  });

/**
 * The `hepml-scale-factors/1` file: one table per working point, no duplicate working point, no
 * unknown key anywhere. Parsing gives {@link ScaleFactorTablesV1} (nulls read back as NaN).
 */
export const ScaleFactorTablesV1 = z
  .strictObject(
    {
      format: z.literal('hepml-scale-factors', { error: 'must be "hepml-scale-factors"' }),
      formatVersion: z.literal(1, { error: 'must be 1' }),
      tables: z
        .array(
          z.strictObject(
            {
              workingPoint: z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string'),
              table: Table,
            },
            OBJECT,
          ),
          { error: 'must be a non-empty array' },
        )
        .min(1, 'must be a non-empty array'),
    },
    { error: 'must be a JSON object' },
  )
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.tables.forEach(({ workingPoint }, t) => {
      if (seen.has(workingPoint)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tables', t, 'workingPoint'],
          message: `duplicate working point "${workingPoint}"`,
        });
      }
      seen.add(workingPoint);
    });
  });

/**
 * Parses and validates a `hepml-scale-factors/1` file (bytes of the bundle file at `path`) with
 * {@link ScaleFactorTablesV1}: unknown keys, ragged grids, non-increasing edges, negative
 * uncertainties, efficiencies outside [0, 1] and duplicate working points are
 * {@link BundleError}s naming the file and the JSON path (`field`).
 */
export function parseScaleFactorTables(path: string, bytes: Uint8Array): ScaleFactorTablesV1 {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch (cause) {
    throw new BundleError(`${path}: not valid UTF-8 JSON`, { field: path, cause });
  }
  return parseBundleJson(ScaleFactorTablesV1, json, { file: path });
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
        ptLo: at(table.ptEdges, i),
        ptHi: openLastPtBin && i === nPt - 1 ? null : at(table.ptEdges, i + 1),
        absEtaLo: at(table.absEtaEdges, j),
        absEtaHi: at(table.absEtaEdges, j + 1),
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
