import { BundleError } from '../errors.ts';
import { sha256Hex } from './hash.ts';
import { type BundleManifestV1, parseManifest } from './manifest.ts';
import { verifyBundleFile } from './verify.ts';

/** A bundle in memory: the manifest and the bytes of each file, `manifest.json` included. */
export interface Bundle {
  manifest: BundleManifestV1;
  files: Map<string, Uint8Array>;
}

/** Name of the manifest file inside a bundle. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Assembles a bundle: hashes every data file into `manifest.files`, validates the manifest and
 * serialises it as `manifest.json`.
 */
export async function buildBundle(
  manifest: Omit<BundleManifestV1, 'files'>,
  dataFiles: ReadonlyMap<string, Uint8Array>,
): Promise<Bundle> {
  const files: BundleManifestV1['files'] = [];
  for (const [path, bytes] of dataFiles) files.push({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
  const full = parseManifest({ ...manifest, files });
  const out = new Map(dataFiles);
  out.set(MANIFEST_FILE, new TextEncoder().encode(`${JSON.stringify(full, null, 2)}\n`));
  return { manifest: full, files: out };
}

/**
 * Reads a bundle from its files: parses and validates `manifest.json`, then checks each listed
 * file's size and sha256. Any mismatch is a BundleError naming the file.
 */
export async function readBundle(files: ReadonlyMap<string, Uint8Array>): Promise<Bundle> {
  const raw = files.get(MANIFEST_FILE);
  if (!raw) throw new BundleError('manifest.json: missing', { field: MANIFEST_FILE });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(raw));
  } catch (cause) {
    throw new BundleError('manifest.json: not valid JSON', { field: MANIFEST_FILE, cause });
  }
  const manifest = parseManifest(json);
  for (const path of files.keys()) {
    if (path !== MANIFEST_FILE && !manifest.files.some((f) => f.path === path)) {
      throw new BundleError(`${path}: present in the bundle but not listed in manifest.files`, { field: path });
    }
  }
  for (const entry of manifest.files) {
    const bytes = files.get(entry.path);
    if (!bytes) throw new BundleError(`${entry.path}: listed in manifest.files but missing`, { field: entry.path });
    await verifyBundleFile(manifest, entry.path, bytes);
  }
  return { manifest, files: new Map(files) };
}
