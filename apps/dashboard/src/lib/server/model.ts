import type { BundleManifestV1 } from '@hepml/models/bundle';
import {
  findReadableModel,
  findRegisteredTask,
  hasScaleFactorTables,
  listVersions,
  type Principal,
  type RegistryDb,
  RegistryError,
  resolveVersion,
} from '@hepml/models/registry';
import { error } from '@sveltejs/kit';

/** The `evaluation` block of a manifest (bundle/evaluation.ts, contract C3). */
export type Evaluation = NonNullable<BundleManifestV1['evaluation']>;

/**
 * Parses a `?v=` query value: absent means the newest active version; anything but a positive
 * integer is a 400.
 */
export function versionParam(raw: string | null): number | 'latest' {
  if (raw === null || raw === '' || raw === 'latest') return 'latest';
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) error(400, `version must be a positive integer, got "${raw}"`);
  return v;
}

/** Turns the registry's not_found (unknown or invisible: they look the same) into a 404 page. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'not_found') error(err.status, err.message);
    throw err;
  }
}

/**
 * Everything the model page shows about one version of a model the viewer may read: the model
 * row, the resolved version's manifest, all versions (lineage) and whether scale factors exist.
 */
export async function modelPage(db: RegistryDb, name: string, version: number | 'latest', viewer: Principal) {
  const model = await orNotFound(findReadableModel(db, name, viewer));
  const [resolved, versions, task] = await Promise.all([
    orNotFound(resolveVersion(db, name, version, viewer)),
    listVersions(db, name, viewer),
    findRegisteredTask(db, model.task, viewer),
  ]);
  const tables = await hasScaleFactorTables(db, name, resolved.version, viewer);
  return {
    model: {
      name: model.name,
      task: task ?? { id: model.task, title: model.task, kind: 'classifier' as const },
      kind: model.kind,
      author: model.author,
      visibility: model.visibility,
      description: model.description,
    },
    version: resolved.version,
    status: resolved.status,
    createdAt: resolved.createdAt,
    manifest: resolved.manifest,
    files: Object.entries(resolved.files).map(([path, f]) => ({ path, bytes: f.bytes, sha256: f.sha256 })),
    versions,
    hasScaleFactors: tables || resolved.manifest.calibration !== undefined,
  };
}
