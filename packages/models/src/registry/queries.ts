import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { drizzle } from 'drizzle-orm/d1';
import { type Bundle, MANIFEST_FILE } from '../bundle/build.ts';
import { sha256Hex } from '../bundle/hash.ts';
import { type BundleManifestV1, parseManifest } from '../bundle/manifest.ts';
import { RegistryError } from '../errors.ts';
import * as schema from './schema.ts';
import type { BlobStore } from './store.ts';

/** The registry database (drizzle over D1). */
export type RegistryDb = DrizzleD1Database<typeof schema>;

/** Opens the registry on a D1 binding (Cloudflare's D1Database or Miniflare's). */
export function openRegistry(d1: Parameters<typeof drizzle>[0]): RegistryDb {
  return drizzle(d1, { schema });
}

/** A model with its newest version and that version's metrics, for listings and leaderboards. */
export interface ModelSummary {
  name: string;
  task: string;
  kind: 'network' | 'baseline';
  description: string;
  author: string;
  latestVersion: number;
  parameters: number;
  createdAt: string;
  metrics: Record<string, number>;
}

/** Lists models (optionally of one task) with their newest version and its metrics. */
export async function listModels(db: RegistryDb, options: { task?: string } = {}): Promise<ModelSummary[]> {
  const latest = db
    .select({
      modelId: schema.modelVersions.modelId,
      version: sql<number>`max(${schema.modelVersions.version})`.as('v'),
    })
    .from(schema.modelVersions)
    .groupBy(schema.modelVersions.modelId)
    .as('latest');
  const rows = await db
    .select({ model: schema.models, version: schema.modelVersions })
    .from(schema.models)
    .innerJoin(latest, eq(latest.modelId, schema.models.id))
    .innerJoin(
      schema.modelVersions,
      and(eq(schema.modelVersions.modelId, schema.models.id), eq(schema.modelVersions.version, latest.version)),
    )
    .where(options.task ? eq(schema.models.task, options.task) : undefined)
    .orderBy(schema.models.task, schema.models.name);
  const versionIds = rows.map((r) => r.version.id);
  const metricRows = versionIds.length
    ? await db.select().from(schema.metrics).where(inArray(schema.metrics.versionId, versionIds))
    : [];
  const byVersion = new Map<number, Record<string, number>>();
  for (const m of metricRows) {
    const rec = byVersion.get(m.versionId) ?? {};
    rec[m.name] = m.value;
    byVersion.set(m.versionId, rec);
  }
  return rows.map((r) => ({
    name: r.model.name,
    task: r.model.task,
    kind: r.model.kind,
    description: r.model.description,
    author: r.model.author,
    latestVersion: r.version.version,
    parameters: r.version.parameters,
    createdAt: r.version.createdAt,
    metrics: byVersion.get(r.version.id) ?? {},
  }));
}

/** A resolved version of a model: its manifest and where its files are. */
export interface ResolvedVersion {
  name: string;
  version: number;
  bundleKey: string;
  manifest: BundleManifestV1;
  manifestSha256: string;
}

/**
 * Resolves `name` at `version` (a positive integer or `latest`, the newest). Unknown model or
 * version is a RegistryError with code `not_found`.
 */
export async function resolveVersion(
  db: RegistryDb,
  name: string,
  version: number | 'latest' = 'latest',
): Promise<ResolvedVersion> {
  const rows = await db
    .select({ version: schema.modelVersions })
    .from(schema.modelVersions)
    .innerJoin(schema.models, eq(schema.models.id, schema.modelVersions.modelId))
    .where(
      version === 'latest'
        ? eq(schema.models.name, name)
        : and(eq(schema.models.name, name), eq(schema.modelVersions.version, version)),
    )
    .orderBy(desc(schema.modelVersions.version))
    .limit(1);
  const row = rows[0];
  if (!row) {
    throw new RegistryError(
      version === 'latest' ? `model "${name}" not found` : `model "${name}" has no version ${version}`,
      { code: 'not_found' },
    );
  }
  return {
    name,
    version: row.version.version,
    bundleKey: row.version.bundleKey,
    manifest: parseManifest(JSON.parse(row.version.manifest)),
    manifestSha256: row.version.manifestSha256,
  };
}

/** Options of {@link publishBundle}. */
export interface PublishOptions {
  kind?: 'network' | 'baseline';
  author?: string;
}

/**
 * Publishes a verified bundle as the next version of its model: files go to the blob store under
 * `models/<name>/<version>/`, then the model row (if new), the version row and its metrics are
 * inserted. Blobs written for a version whose inserts fail are deleted again.
 */
export async function publishBundle(
  db: RegistryDb,
  store: BlobStore,
  bundle: Bundle,
  options: PublishOptions = {},
): Promise<{ name: string; version: number; bundleKey: string }> {
  const m = bundle.manifest;
  const manifestBytes = bundle.files.get(MANIFEST_FILE);
  if (!manifestBytes) throw new RegistryError('bundle has no manifest.json', { code: 'invalid' });
  const manifestSha256 = await sha256Hex(manifestBytes);

  await db
    .insert(schema.models)
    .values({
      name: m.name,
      task: m.task,
      description: m.description,
      kind: options.kind ?? 'network',
      author: options.author ?? 'hepml',
    })
    .onConflictDoNothing({ target: schema.models.name });
  const model = await db.select().from(schema.models).where(eq(schema.models.name, m.name)).get();
  if (!model) throw new RegistryError(`model "${m.name}" could not be created`, { code: 'conflict' });
  if (model.task !== m.task) {
    throw new RegistryError(`model "${m.name}" belongs to task ${model.task}, bundle says ${m.task}`, {
      code: 'conflict',
    });
  }
  const maxRow = await db
    .select({ v: sql<number | null>`max(${schema.modelVersions.version})` })
    .from(schema.modelVersions)
    .where(eq(schema.modelVersions.modelId, model.id))
    .get();
  const version = (maxRow?.v ?? 0) + 1;
  const bundleKey = `models/${m.name}/${version}`;
  const written: string[] = [];
  try {
    for (const [path, bytes] of bundle.files) {
      await store.put(`${bundleKey}/${path}`, bytes);
      written.push(`${bundleKey}/${path}`);
    }
    const inserted = await db
      .insert(schema.modelVersions)
      .values({
        modelId: model.id,
        version,
        bundleKey,
        manifest: JSON.stringify(m),
        manifestSha256,
        parameters: m.architecture.parameters,
        datasetHash: m.lineage.datasetHash,
        codeVersion: m.lineage.codeVersion,
      })
      .returning({ id: schema.modelVersions.id });
    const versionId = inserted[0]?.id;
    if (versionId === undefined) throw new RegistryError('version insert returned no id', { code: 'conflict' });
    const metricRows = Object.entries(m.metrics).map(([name, value]) => ({ versionId, name, value }));
    if (metricRows.length) await db.insert(schema.metrics).values(metricRows);
  } catch (err) {
    if (written.length) await store.delete(written);
    throw err;
  }
  return { name: m.name, version, bundleKey };
}

/** Number of models in the registry (the start command trains defaults when it is 0). */
export async function countModels(db: RegistryDb): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(schema.models).get();
  return row?.n ?? 0;
}
