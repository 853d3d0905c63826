/**
 * Contract C5: the baselines run inside a Worker, so their sources import neither Node APIs, nor
 * tfjs, nor the training, registry or export code of this package. (Their fits may import the
 * runtime's formats and evaluators; the runtime never imports them: runtime/workers-safe.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const FORBIDDEN = [
  /^node:/,
  /^@tensorflow\//,
  /\/training\//,
  /\/registry\//,
  /\/export\//,
  /^(fs|path|os|crypto|url)$/,
];

describe('baselines are Workers-safe', () => {
  it('has the baseline sources', () => {
    expect(sources).toEqual(
      expect.arrayContaining(['cuts.ts', 'likelihood.ts', 'gbdt.ts', 'standard-calibration.ts', 'index.ts']),
    );
  });

  it.each(sources)('%s imports nothing Node-only or training-side', (file) => {
    const text = readFileSync(join(here, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*from\s*'([^']+)'/g)].map((m) => m[1] as string);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const spec of specifiers)
      for (const bad of FORBIDDEN) expect(spec, `${file} imports ${spec}`).not.toMatch(bad);
  });
});
