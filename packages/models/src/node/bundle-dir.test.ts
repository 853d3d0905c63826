import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bundle, buildBundle, MANIFEST_FILE } from '../bundle/build.ts';
import { BundleError } from '../errors.ts';
import { readBundleDir, writeBundleDir } from './bundle-dir.ts';

/** A one-neuron MLP (x → sigmoid(w·x + b)): two parameters in `weights.bin`. */
function tinyBundle(): Promise<Bundle> {
  const layers = [{ type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'tiny',
      task: 'electron-id',
      description: 'bundle-dir round trip',
      inputs: [{ name: 'x', unit: '1', offset: 0, scale: 1 }],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 1, layers, parameters: 2 },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage: { datasetHash: 'd', codeVersion: 'c', seed: 0, createdAt: '2026-01-01T00:00:00Z', backend: 'none' },
    },
    new Map([['weights.bin', new Uint8Array(Float32Array.of(0.5, -1).buffer)]]),
  );
}

describe('writeBundleDir / readBundleDir', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hepml-bundle-dir-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per bundle file and reads back the same manifest and bytes', async () => {
    const bundle = await tinyBundle();
    await writeBundleDir(bundle, join(dir, 'nested', 'tiny'));
    expect((await readdir(join(dir, 'nested', 'tiny'))).sort()).toEqual([MANIFEST_FILE, 'weights.bin']);
    const back = await readBundleDir(join(dir, 'nested', 'tiny'));
    expect(back.manifest).toEqual(bundle.manifest);
    expect([...back.files.keys()].sort()).toEqual([...bundle.files.keys()].sort());
    expect(back.files.get('weights.bin')).toEqual(bundle.files.get('weights.bin'));
  });

  it('refuses a directory whose weights were altered, naming the file', async () => {
    await writeBundleDir(await tinyBundle(), dir);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(Float32Array.of(0.5, 1).buffer));
    await expect(readBundleDir(dir)).rejects.toThrow(BundleError);
    await expect(readBundleDir(dir)).rejects.toThrow(/^weights\.bin/);
  });

  it('refuses a directory holding a file the manifest does not list', async () => {
    await writeBundleDir(await tinyBundle(), dir);
    await writeFile(join(dir, 'notes.txt'), 'stray');
    await expect(readBundleDir(dir)).rejects.toThrow(/notes\.txt: present in the bundle but not listed/);
  });
});
