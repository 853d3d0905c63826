import { findTask } from '@hepml/models';
import type { BundleManifestV1, RegressionBinV1 } from '@hepml/models/bundle';
import { findReadableModel, type Principal, type RegistryDb, resolveVersion, rocOf } from '@hepml/models/registry';
import { error } from '@sveltejs/kit';
import { rejectionOnGrid } from '../roc';
import { orNotFound } from './model';

/** A model or one of its versions as the compare view names it: `name` (newest) or `name@3`. */
export interface CompareRef {
  name: string;
  version: number | 'latest';
}

/** Most models one comparison shows (the plot and the table stay readable). */
export const MAX_COMPARED = 8;

/**
 * The `models` query of `/compare`: comma-separated and/or repeated (`?models=a,b@2` or, from the
 * leaderboard's checkboxes, `?models=a@1&models=b@1`), each `name` or `name@N` (`@vN` too), N a
 * positive integer; duplicates dropped, order kept. A malformed entry or more than
 * {@link MAX_COMPARED} is a 400 naming the field.
 */
export function parseCompareRefs(values: readonly string[]): CompareRef[] {
  const refs: CompareRef[] = [];
  const seen = new Set<string>();
  for (const raw of values.flatMap((v) => v.split(','))) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:@v?([^@]*))?$/.exec(item);
    if (!m?.[1]) error(400, `models: "${item}" is not a model name or name@version`);
    let version: number | 'latest' = 'latest';
    if (m[2] !== undefined) {
      const v = Number(m[2]);
      if (!Number.isInteger(v) || v <= 0) error(400, `models: the version in "${item}" must be a positive integer`);
      version = v;
    }
    const key = `${m[1]}@${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ name: m[1], version });
  }
  if (refs.length > MAX_COMPARED)
    error(400, `models: at most ${MAX_COMPARED} models can be compared, got ${refs.length}`);
  return refs;
}

/** One compared version: what the view overlays and diffs. */
export interface ComparedVersion {
  name: string;
  version: number;
  task: string;
  taskKind: 'classifier' | 'regression';
  kind: 'network' | 'baseline';
  metrics: Record<string, number>;
  workingPoints: BundleManifestV1['workingPoints'];
  /** 1/εB on the ROC grid, or null (regressions, or no stored ROC). */
  rejection: (number | null)[] | null;
  /** E_true bins of the regression evaluation (empty for taggers). */
  resolutionBins: RegressionBinV1[];
}

/** The named versions as `viewer` may see them (an unknown or invisible model is a 404). */
export async function comparedVersions(
  db: RegistryDb,
  refs: readonly CompareRef[],
  viewer: Principal,
): Promise<ComparedVersion[]> {
  return Promise.all(
    refs.map(async (ref): Promise<ComparedVersion> => {
      const [model, resolved] = await Promise.all([
        orNotFound(findReadableModel(db, ref.name, viewer)),
        orNotFound(resolveVersion(db, ref.name, ref.version, viewer)),
      ]);
      const taskKind = findTask(resolved.task)?.kind ?? 'classifier';
      const roc = taskKind === 'classifier' ? await rocOf(db, ref.name, resolved.version, viewer) : [];
      return {
        name: model.name,
        version: resolved.version,
        task: resolved.task,
        taskKind,
        kind: model.kind,
        metrics: resolved.manifest.metrics,
        workingPoints: resolved.manifest.workingPoints,
        rejection:
          roc.length > 1
            ? rejectionOnGrid(
                roc.map((p) => p.s),
                roc.map((p) => p.b),
              )
            : null,
        resolutionBins: resolved.manifest.evaluation?.regression?.bins.filter((b) => b.variable === 'eTrue') ?? [],
      };
    }),
  );
}
