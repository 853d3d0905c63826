// Malformed bundles (issue 11): truncated, bit-flipped and schema-violating archives are refused
// with a BundleError naming the file or field, and never with any other kind of error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import { type Bundle, buildBundle, MANIFEST_FILE, readBundle } from './build.ts';
import { mlpParameterCount } from './manifest.ts';
import { readTar, writeTar } from './tar.ts';

async function sampleBundle(): Promise<Bundle> {
  const layers = [
    { type: 'dense' as const, units: 4, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(3, layers);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'fuzzed',
      task: 'electron-id',
      description: 'fuzz target',
      inputs: [
        { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
        { name: 'eta', unit: '1', offset: 0, scale: 1.2 },
        { name: 'reta', unit: '1', offset: 0.9, scale: 0.05 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 3, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.9 },
      workingPoints: [],
      lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'none' },
    },
    new Map([['weights.bin', new Uint8Array(Float32Array.from({ length: parameters }, (_, i) => i / 7).buffer)]]),
  );
}

/** Reads an archive; returns 'ok' or the BundleError; anything else fails the property. */
async function outcome(archive: Uint8Array): Promise<'ok' | BundleError> {
  try {
    await readBundle(readTar(archive));
    return 'ok';
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw err;
  }
}

describe('malformed bundle archives', () => {
  it('refuses every truncation with a BundleError', async () => {
    const tar = writeTar((await sampleBundle()).files);
    // Every cut that removes part of a header or of a file's data (the tail is two zero blocks).
    const dataEnd = tar.byteLength - 1024;
    for (let cut = 1; cut < dataEnd; cut += 37) {
      const result = await outcome(tar.slice(0, cut));
      expect(result, `cut at ${cut}`).toBeInstanceOf(BundleError);
    }
  });

  it('refuses bit flips in headers and data files, naming the file (fast-check, 500 cases)', async () => {
    const bundle = await sampleBundle();
    const tar = writeTar(bundle.files);
    const files = readTar(tar);
    const weightsStart = locate(tar, 'weights.bin');
    const weightsLength = files.get('weights.bin')?.byteLength ?? 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: tar.byteLength - 1 }),
        fc.integer({ min: 0, max: 7 }),
        async (at, bit) => {
          const flipped = tar.slice();
          flipped[at] = (flipped[at] ?? 0) ^ (1 << bit);
          const result = await outcome(flipped);
          if (at >= weightsStart && at < weightsStart + weightsLength) {
            // A flip inside the weights always changes their sha256.
            expect(result).toBeInstanceOf(BundleError);
            expect((result as BundleError).field).toBe('weights.bin');
          }
          // Elsewhere: refused with a BundleError, or — a flip in padding or in the manifest's free
          // text — still a bundle whose every data file matches its manifest hash.
        },
      ),
      { numRuns: 500, seed: 20261122 },
    );
  });

  it('refuses schema violations naming the field', async () => {
    const bundle = await sampleBundle();
    const manifest = JSON.parse(new TextDecoder().decode(bundle.files.get(MANIFEST_FILE))) as Record<string, unknown>;
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ['unknown key', (m) => Object.assign(m, { extra: 1 }), /extra: unknown key/],
      [
        'zero scale',
        (m) => (((m.inputs as { scale: number }[])[0] as { scale: number }).scale = 0),
        /inputs\[0\]\.scale/,
      ],
      ['wrong format', (m) => Object.assign(m, { formatVersion: 2 }), /formatVersion/],
      ['bad name', (m) => Object.assign(m, { name: '../etc' }), /name/],
    ];
    for (const [label, mutate, message] of cases) {
      const m = structuredClone(manifest);
      mutate(m);
      const files = new Map(bundle.files);
      files.set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(m)));
      const result = await outcome(writeTar(files));
      expect(result, label).toBeInstanceOf(BundleError);
      expect((result as BundleError).message, label).toMatch(message);
    }
    const notJson = new Map(bundle.files);
    notJson.set(MANIFEST_FILE, new TextEncoder().encode('{"format":'));
    expect(await outcome(writeTar(notJson))).toMatchObject({ field: MANIFEST_FILE });
  });
});

/** Byte offset of a file's data inside a tar written by writeTar. */
function locate(tar: Uint8Array, name: string): number {
  const dec = new TextDecoder();
  let o = 0;
  while (o + 512 <= tar.byteLength) {
    const header = tar.subarray(o, o + 512);
    const entry = dec.decode(header.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = Number.parseInt(dec.decode(header.subarray(124, 136)).replace(/\0.*$/s, '').trim(), 8);
    if (entry === name) return o + 512;
    o += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not in archive`);
}
