import { canRead, type Principal } from '@hepml/models/registry';
import { ApiError } from '../errors.ts';

/** What a request needs to know about a version before it is loaded: identity, status, hash. */
export interface VersionRef {
  name: string;
  task: string;
  version: number;
  versionId: number;
  status: 'active' | 'deprecated';
  manifestSha256: string;
  createdAt: string;
  visibility: 'private' | 'collaboration' | 'public';
}

interface Row {
  task: string;
  visibility: 'private' | 'collaboration' | 'public';
  owner_id: number | null;
  collaboration_id: number | null;
  version_id: number | null;
  version: number | null;
  status: 'active' | 'deprecated' | null;
  manifest_sha256: string | null;
  created_at: string | null;
}

// One indexed query per request (models.name and (model_id, version) are unique indexes): the
// model's access fields and the wanted version. The loaded bundle is then found in the isolate's
// cache by version and manifest hash, so a warm predict touches D1 once.
const SELECT = `select m.task, m.visibility, m.owner_id, m.collaboration_id,
  v.id as version_id, v.version, v.status, v.manifest_sha256, v.created_at
  from models m left join model_versions v on v.model_id = m.id and `;
const LATEST_SQL = `${SELECT}v.status = 'active' where m.name = ? order by v.version desc limit 1`;
const EXACT_SQL = `${SELECT}v.version = ? where m.name = ? limit 1`;

/**
 * How long a resolved row is reused in this isolate, in ms. The access check itself runs on every
 * request (the principal differs); what may be this old is the model's visibility and which
 * version `latest` is. Writes through this isolate (publish, deprecate, promote, visibility)
 * invalidate at once; other isolates see them within this time. It keeps a warm predict free of
 * any D1 round trip, which on Cloudflare costs more than the whole inference.
 */
export const RESOLVE_TTL_MS = 1000;
const MAX_ROWS_CACHED = 1024;
const rowCache = new Map<string, { row: Row; expires: number }>();

/** Forgets every cached resolution of a model (after a write that changes it). */
export function invalidateModel(name: string): void {
  for (const key of rowCache.keys()) if (key.slice(0, key.lastIndexOf('\u0000')) === name) rowCache.delete(key);
}

async function lookup(db: D1Database, name: string, version: number | 'latest'): Promise<Row | null> {
  const key = `${name}\u0000${version}`;
  const now = Date.now();
  const hit = rowCache.get(key);
  if (hit && hit.expires > now) return hit.row;
  const row =
    version === 'latest'
      ? await db.prepare(LATEST_SQL).bind(name).first<Row>()
      : await db.prepare(EXACT_SQL).bind(version, name).first<Row>();
  // Only complete answers are kept: a model or version published a moment later is seen at once.
  if (row && row.version_id !== null) {
    rowCache.delete(key);
    rowCache.set(key, { row, expires: now + RESOLVE_TTL_MS });
    if (rowCache.size > MAX_ROWS_CACHED) {
      const oldest = rowCache.keys().next().value;
      if (oldest !== undefined) rowCache.delete(oldest);
    }
  } else rowCache.delete(key);
  return row;
}

/**
 * Resolves `name` at `version` (a number, or `latest`: the newest active version) for a
 * principal. A model the principal may not read answers exactly like a missing one (404 naming
 * neither), so private names do not leak; a missing version is 404 too.
 */
export async function resolveRef(
  db: D1Database,
  name: string,
  version: number | 'latest',
  viewer: Principal,
): Promise<VersionRef> {
  const row = await lookup(db, name, version);
  if (
    !row ||
    !canRead(viewer, { visibility: row.visibility, ownerId: row.owner_id, collaborationId: row.collaboration_id })
  ) {
    throw new ApiError(404, 'not_found', `model "${name}" not found`, 'name');
  }
  if (row.version_id === null || row.version === null || row.status === null || row.manifest_sha256 === null) {
    throw new ApiError(
      404,
      'not_found',
      version === 'latest' ? `model "${name}" has no active version` : `model "${name}" has no version ${version}`,
      'version',
    );
  }
  return {
    name,
    task: row.task,
    version: row.version,
    versionId: row.version_id,
    status: row.status,
    manifestSha256: row.manifest_sha256,
    createdAt: row.created_at ?? '',
    visibility: row.visibility,
  };
}

/** `latest` or a positive integer from a validated path parameter. */
export function versionOf(raw: string | undefined): number | 'latest' {
  return raw === undefined || raw === 'latest' ? 'latest' : Number(raw);
}
