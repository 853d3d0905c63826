import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bundle, readBundle } from '../bundle/build.ts';

/**
 * Writes a bundle's files (`manifest.json` and each data file) into `dir`, created if needed;
 * files of the same name are overwritten, other files in `dir` are left alone.
 */
export async function writeBundleDir(bundle: Bundle, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of bundle.files) await writeFile(join(dir, path), bytes);
}

/**
 * Reads and verifies a bundle directory: every file in `dir` is part of the bundle, so the
 * manifest is validated, then each listed file's size and sha256 (`readBundle`); a missing,
 * unlisted or altered file is a BundleError naming it.
 */
export async function readBundleDir(dir: string): Promise<Bundle> {
  const files = new Map<string, Uint8Array>();
  for (const name of await readdir(dir)) files.set(name, new Uint8Array(await readFile(join(dir, name))));
  return readBundle(files);
}
