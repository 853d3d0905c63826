import { listVersions, type Principal, type RegistryDb, resolveVersion } from '@hepml/models/registry';
import { modelPage } from './model';

/** One row of a model's version history: the version, its lineage and its figures. */
export interface VersionHistoryRow {
  version: number;
  status: 'active' | 'deprecated';
  createdAt: string;
  publishedBy: string | null;
  parentVersion: number | null;
  datasetHash: string;
  codeVersion: string;
  metrics: Record<string, number>;
}

/**
 * Every version of a model the viewer may read, newest first, each with its manifest's figures
 * (so the page can show what changed from the version before).
 */
export async function versionHistory(db: RegistryDb, name: string, viewer: Principal) {
  const page = await modelPage(db, name, 'latest', viewer);
  const versions = await listVersions(db, name, viewer);
  const manifests = await Promise.all(versions.map((v) => resolveVersion(db, name, v.version, viewer)));
  const rows = versions.map(
    (v, i): VersionHistoryRow => ({
      version: v.version,
      status: v.status,
      createdAt: v.createdAt,
      publishedBy: v.publishedBy ?? null,
      parentVersion: v.parentVersion ?? null,
      datasetHash: v.datasetHash,
      codeVersion: v.codeVersion,
      metrics: manifests[i]?.manifest.metrics ?? {},
    }),
  );
  return { model: page.model, rows };
}
