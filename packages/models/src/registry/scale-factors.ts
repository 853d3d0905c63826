/**
 * The scale-factor tables of versions as the registry stores them (`scale_factor_tables`,
 * `scale_factor_bins`, written at publish time from the bundle's `hepml-scale-factors/1` file,
 * see scale-factor-tables.ts), for the dashboard's heatmaps without reading R2.
 */
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Principal } from './access.ts';
import type { RegistryDb } from './db.ts';
import { findReadableModel } from './models.ts';
import type { ScaleFactorBinRow } from './scale-factor-tables.ts';
import * as schema from './schema.ts';
import { versionIdOf } from './versions.ts';

/** A stored scale-factor table of one working point, with its measured bins. */
export interface StoredScaleFactorTable {
  workingPoint: string;
  dataSample: string;
  mcSample: string;
  method: string;
  /** Ordered by pt, then |η|; bins without a measurement are not stored. */
  bins: ScaleFactorBinRow[];
}

/**
 * The scale-factor tables of a version, by working point name, with their bins ordered by pt then
 * |η|; not_found (RegistryError) when the model is not readable by `viewer` or has no such version.
 */
export async function scaleFactorsOf(
  db: RegistryDb,
  name: string,
  version: number,
  viewer: Principal,
): Promise<StoredScaleFactorTable[]> {
  const model = await findReadableModel(db, name, viewer);
  const row = await versionIdOf(db, model, version);
  const t = schema.scaleFactorTables;
  const tables = await db.select().from(t).where(eq(t.versionId, row.id)).orderBy(t.workingPoint);
  if (tables.length === 0) return [];
  const b = schema.scaleFactorBins;
  const bins = await db
    .select()
    .from(b)
    .where(
      inArray(
        b.tableId,
        tables.map((x) => x.id),
      ),
    )
    .orderBy(b.ptLo, b.absEtaLo);
  return tables.map((table) => ({
    workingPoint: table.workingPoint,
    dataSample: table.dataSample,
    mcSample: table.mcSample,
    method: table.method,
    bins: bins.filter((x) => x.tableId === table.id).map(({ tableId: _, ...bin }) => bin),
  }));
}

/** Whether a version has stored scale-factor tables (not_found as {@link scaleFactorsOf}). */
export async function hasScaleFactorTables(
  db: RegistryDb,
  name: string,
  version: number,
  viewer: Principal,
): Promise<boolean> {
  const model = await findReadableModel(db, name, viewer);
  const v = schema.modelVersions;
  const row = await db
    .select({ n: count() })
    .from(schema.scaleFactorTables)
    .innerJoin(v, eq(v.id, schema.scaleFactorTables.versionId))
    .where(and(eq(v.modelId, model.id), eq(v.version, version)))
    .get();
  return (row?.n ?? 0) > 0;
}
