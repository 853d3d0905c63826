import { findTask, type TaskInfo } from '@hepml/models';
import { listModels, type ModelSummary, type Principal, type RegistryDb, schema } from '@hepml/models/registry';
import { and, eq, inArray } from 'drizzle-orm';
import { ROC_GRID, rejectionOnGrid } from '$lib/roc';

/** One leaderboard row: the newest active version of a model with its figures and ROC. */
export interface LeaderboardEntry extends ModelSummary {
  /** 1/εB on {@link ROC_GRID}, or null when the version stored no ROC. */
  rejection: (number | null)[] | null;
}

/** A task's leaderboard as the pages and the JSON endpoint serve it. */
export interface Leaderboard {
  task: TaskInfo;
  rocGrid: readonly number[];
  entries: LeaderboardEntry[];
}

/**
 * Orders entries by the task's headline metric (best first); entries without it go last, by name.
 */
export function rankEntries<T extends { name: string; metrics: Record<string, number> }>(
  task: TaskInfo,
  entries: T[],
): T[] {
  const metric = task.headline.metric;
  const sign = task.headline.higherIsBetter ? -1 : 1;
  return [...entries].sort((a, b) => {
    const x = a.metrics[metric];
    const y = b.metrics[metric];
    if (x === undefined || y === undefined) return x === y ? a.name.localeCompare(b.name) : x === undefined ? 1 : -1;
    return sign * (x - y) || a.name.localeCompare(b.name);
  });
}

/**
 * The leaderboard of a task as `viewer` may see it (anonymous visitors: public models only), with
 * each entry's ROC resampled on the common εS grid. Undefined for an unknown task.
 */
export async function leaderboard(db: RegistryDb, taskId: string, viewer: Principal): Promise<Leaderboard | undefined> {
  const task = findTask(taskId);
  if (!task) return undefined;
  const models = await listModels(db, { task: task.id, viewer });
  const curves = new Map<string, { s: number[]; b: number[] }>();
  if (task.kind === 'classifier' && models.length > 0) {
    const v = schema.modelVersions;
    const latest = new Map(models.map((m) => [m.name, m.latestVersion]));
    // One query for all entries; older versions' points are dropped below.
    const rows = await db
      .select({
        name: schema.models.name,
        version: v.version,
        s: schema.rocPoints.signalEfficiency,
        b: schema.rocPoints.backgroundEfficiency,
      })
      .from(schema.rocPoints)
      .innerJoin(v, eq(v.id, schema.rocPoints.versionId))
      .innerJoin(schema.models, eq(schema.models.id, v.modelId))
      .where(and(inArray(schema.models.name, [...latest.keys()]), eq(schema.models.task, task.id)))
      .orderBy(schema.rocPoints.versionId, schema.rocPoints.idx);
    for (const r of rows) {
      if (latest.get(r.name) !== r.version) continue;
      const c = curves.get(r.name) ?? { s: [], b: [] };
      c.s.push(r.s);
      c.b.push(r.b);
      curves.set(r.name, c);
    }
  }
  const entries = rankEntries(
    task,
    models.map((m) => {
      const c = curves.get(m.name);
      return { ...m, rejection: c ? rejectionOnGrid(c.s, c.b) : null };
    }),
  );
  return { task, rocGrid: ROC_GRID, entries };
}
