import { and, desc, eq, inArray } from 'drizzle-orm';
import { type BundleManifestV1, parseManifest } from '../bundle/manifest.ts';
import { RegistryError } from '../errors.ts';
import { ANONYMOUS, canRead, type Principal, visibleTo } from './access.ts';
import type { RegistryDb } from './db.ts';
import { findReadableModel, findWritableModel, type Visibility } from './models.ts';
import * as schema from './schema.ts';

/** What a request needs to know about a version before it is loaded: identity, status, hash. */
export interface VersionRef {
  name: string;
  task: string;
  version: number;
  versionId: number;
  status: 'active' | 'deprecated';
  /** sha256 (hex) of the manifest bytes as stored. */
  manifestSha256: string;
  createdAt: string;
  visibility: Visibility;
}

/** A model's access fields and the wanted version (null fields: no such version). */
export interface VersionLookup {
  task: string;
  visibility: Visibility;
  ownerId: number | null;
  collaborationId: number | null;
  versionId: number | null;
  version: number | null;
  status: 'active' | 'deprecated' | null;
  manifestSha256: string | null;
  createdAt: string | null;
}

/**
 * One indexed query (models.name and (model_id, version) are unique indexes): the model's access
 * fields and its version `version` (a number, or `latest`: the newest active one); null when no
 * model has that name. No access check: {@link versionRefOf} makes it.
 */
export async function lookupVersion(
  db: RegistryDb,
  name: string,
  version: number | 'latest',
): Promise<VersionLookup | null> {
  const m = schema.models;
  const v = schema.modelVersions;
  const row = await db
    .select({
      task: m.task,
      visibility: m.visibility,
      ownerId: m.ownerId,
      collaborationId: m.collaborationId,
      versionId: v.id,
      version: v.version,
      status: v.status,
      manifestSha256: v.manifestSha256,
      createdAt: v.createdAt,
    })
    .from(m)
    .leftJoin(v, and(eq(v.modelId, m.id), version === 'latest' ? eq(v.status, 'active') : eq(v.version, version)))
    .where(eq(m.name, name))
    .orderBy(desc(v.version))
    .limit(1)
    .get();
  return row ?? null;
}

/**
 * The version a lookup found, as `viewer` may see it. A model the viewer may not read answers
 * exactly like a missing one (not_found naming neither), so private names do not leak; a missing
 * version is not_found too, naming `version`.
 */
export function versionRefOf(
  row: VersionLookup | null,
  name: string,
  version: number | 'latest',
  viewer: Principal,
): VersionRef {
  if (!row || !canRead(viewer, row)) {
    throw new RegistryError(`model "${name}" not found`, { code: 'not_found', field: 'name' });
  }
  if (row.versionId === null || row.version === null || row.status === null || row.manifestSha256 === null) {
    throw new RegistryError(
      version === 'latest' ? `model "${name}" has no active version` : `model "${name}" has no version ${version}`,
      { code: 'not_found', field: 'version' },
    );
  }
  return {
    name,
    task: row.task,
    version: row.version,
    versionId: row.versionId,
    status: row.status,
    manifestSha256: row.manifestSha256,
    createdAt: row.createdAt ?? '',
    visibility: row.visibility,
  };
}

/** Files of a version: where each bundle file is stored, its size and sha256, by path. */
export type VersionFiles = Record<string, { r2Key: string; bytes: number; sha256: string }>;

/** The stored files (artifact rows) of a version by its id. */
export async function versionFiles(db: RegistryDb, versionId: number): Promise<VersionFiles> {
  const files: VersionFiles = {};
  for (const a of await db.select().from(schema.artifacts).where(eq(schema.artifacts.versionId, versionId))) {
    files[a.path] = { r2Key: a.r2Key, bytes: a.bytes, sha256: a.sha256 };
  }
  return files;
}

/** A resolved version of a model: its reference, its manifest and where its files are. */
export interface ResolvedVersion extends VersionRef {
  manifest: BundleManifestV1;
  /** Storage key, size and sha256 of each bundle file by path. */
  files: VersionFiles;
}

/**
 * Resolves `name` at `version` (a positive integer, or `latest`: the newest active version) for a
 * principal, with its manifest and files. Unknown, invisible or missing versions are a
 * RegistryError with code `not_found` (see {@link versionRefOf}). The cached form of the
 * reference alone is {@link VersionResolver}.
 */
export async function resolveVersion(
  db: RegistryDb,
  name: string,
  version: number | 'latest' = 'latest',
  viewer: Principal = ANONYMOUS,
): Promise<ResolvedVersion> {
  const ref = versionRefOf(await lookupVersion(db, name, version), name, version, viewer);
  const v = schema.modelVersions;
  const [row, files] = await Promise.all([
    db.select({ manifest: v.manifest }).from(v).where(eq(v.id, ref.versionId)).get(),
    versionFiles(db, ref.versionId),
  ]);
  if (!row) throw new RegistryError(`model "${name}" has no version ${ref.version}`, { code: 'not_found' });
  return { ...ref, manifest: parseManifest(JSON.parse(row.manifest)), files };
}

/** The row id of version `version` of a model; a missing one is not_found. */
export async function versionIdOf(
  db: RegistryDb,
  model: { id: number; name: string },
  version: number,
): Promise<{ id: number; status: 'active' | 'deprecated' }> {
  const v = schema.modelVersions;
  const row = await db
    .select({ id: v.id, status: v.status })
    .from(v)
    .where(and(eq(v.modelId, model.id), eq(v.version, version)))
    .get();
  if (!row) {
    throw new RegistryError(`model "${model.name}" has no version ${version}`, { code: 'not_found', field: 'version' });
  }
  return row;
}

/** Versions of a model, newest first, with status and lineage. */
export async function listVersions(db: RegistryDb, name: string, viewer: Principal = ANONYMOUS) {
  const model = await findReadableModel(db, name, viewer);
  const v = schema.modelVersions;
  return db
    .select({
      version: v.version,
      status: v.status,
      parameters: v.parameters,
      datasetHash: v.datasetHash,
      codeVersion: v.codeVersion,
      parentVersion: v.parentVersion,
      createdAt: v.createdAt,
      publishedBy: schema.users.name,
    })
    .from(v)
    .leftJoin(schema.users, eq(schema.users.id, v.publishedBy))
    .where(eq(v.modelId, model.id))
    .orderBy(desc(v.version));
}

/** Marks a version deprecated (it stays downloadable by number; `latest` skips it). */
export async function deprecateVersion(db: RegistryDb, name: string, version: number, actor: Principal): Promise<void> {
  const model = await findWritableModel(db, name, actor);
  const row = await versionIdOf(db, model, version);
  await db.batch([
    db.update(schema.modelVersions).set({ status: 'deprecated' }).where(eq(schema.modelVersions.id, row.id)),
    db
      .insert(schema.auditLog)
      .values({ actorId: actor.userId, action: 'version.deprecate', modelId: model.id, version }),
  ]);
}

/** Promotes a version as the recommended model of its task. */
export async function promoteVersion(db: RegistryDb, name: string, version: number, actor: Principal): Promise<void> {
  const model = await findWritableModel(db, name, actor);
  const row = await versionIdOf(db, model, version);
  if (row.status !== 'active') {
    throw new RegistryError(`version ${version} of "${name}" is deprecated`, { code: 'conflict' });
  }
  await db.batch([
    db
      .update(schema.tasks)
      .set({ recommendedModelId: model.id, recommendedVersion: version })
      .where(eq(schema.tasks.id, model.task)),
    db.insert(schema.auditLog).values({
      actorId: actor.userId,
      action: 'model.promote',
      modelId: model.id,
      version,
      details: JSON.stringify({ task: model.task }),
    }),
  ]);
}

/** The audit trail of a model, newest first. */
export async function auditTrail(db: RegistryDb, name: string, viewer: Principal) {
  const model = await findReadableModel(db, name, viewer);
  return db
    .select({
      at: schema.auditLog.at,
      action: schema.auditLog.action,
      version: schema.auditLog.version,
      actor: schema.users.name,
      details: schema.auditLog.details,
    })
    .from(schema.auditLog)
    .leftJoin(schema.users, eq(schema.users.id, schema.auditLog.actorId))
    .where(eq(schema.auditLog.modelId, model.id))
    .orderBy(desc(schema.auditLog.id));
}

/** ROC points of a version, in order. */
export async function rocOf(db: RegistryDb, name: string, version: number, viewer: Principal) {
  const model = await findReadableModel(db, name, viewer);
  const row = await versionIdOf(db, model, version);
  return db
    .select({ s: schema.rocPoints.signalEfficiency, b: schema.rocPoints.backgroundEfficiency })
    .from(schema.rocPoints)
    .where(eq(schema.rocPoints.versionId, row.id))
    .orderBy(schema.rocPoints.idx);
}

/** A stored ROC curve: signal (s) and background (b) efficiencies, point by point, as published. */
export interface StoredRocCurve {
  s: number[];
  b: number[];
}

/**
 * The ROC curves of given versions of models of one task (a leaderboard's entries), in one query,
 * by model name; models `viewer` may not read and versions without stored points are left out.
 */
export async function rocCurves(
  db: RegistryDb,
  task: string,
  versions: readonly { name: string; version: number }[],
  viewer: Principal,
): Promise<Map<string, StoredRocCurve>> {
  const curves = new Map<string, StoredRocCurve>();
  if (versions.length === 0) return curves;
  const wanted = new Map(versions.map((e) => [e.name, e.version]));
  const v = schema.modelVersions;
  // One query for all entries; other versions' points are dropped below.
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
    .where(and(inArray(schema.models.name, [...wanted.keys()]), eq(schema.models.task, task), visibleTo(viewer)))
    .orderBy(schema.rocPoints.versionId, schema.rocPoints.idx);
  for (const r of rows) {
    if (wanted.get(r.name) !== r.version) continue;
    const c = curves.get(r.name) ?? { s: [], b: [] };
    c.s.push(r.s);
    c.b.push(r.b);
    curves.set(r.name, c);
  }
  return curves;
}
