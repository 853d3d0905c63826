import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bundle, readBundle } from '../src/bundle/build.ts';

/** Writes a bundle's files into `dir` (created if needed). */
export async function writeBundleDir(bundle: Bundle, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of bundle.files) await writeFile(join(dir, path), bytes);
}

/** Reads and verifies a bundle directory (manifest, then every file's size and sha256). */
export async function readBundleDir(dir: string): Promise<Bundle> {
  const files = new Map<string, Uint8Array>();
  for (const name of await readdir(dir)) files.set(name, new Uint8Array(await readFile(join(dir, name))));
  return readBundle(files);
}
