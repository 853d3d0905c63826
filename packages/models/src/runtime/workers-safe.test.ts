/**
 * The runtime serves models inside a Worker and never imports a fitter (issue 21): the import
 * graph of runtime/ — every module its sources reach through relative imports, transitively —
 * stays out of baselines/, training/, architectures/, evaluation/, export/ and registry/, and its
 * only packages are the Workers-safe ones (`@hepml/physics`, `zod`), no Node API, no tfjs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '..');
const PACKAGES = new Set(['@hepml/physics', 'zod']);
const TRAINING_SIDE = ['baselines/', 'training/', 'architectures/', 'evaluation/', 'export/', 'registry/'];

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s*'([^']+)'/g)].map((m) => m[1] as string);
}

/** Every module reachable from `roots` through relative imports, with the edge that reached it first. */
function importGraph(roots: string[]): { modules: Map<string, string>; packages: Map<string, string> } {
  const modules = new Map<string, string>(roots.map((r) => [r, '(root)']));
  const packages = new Map<string, string>();
  const queue = [...roots];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const spec of specifiers(file)) {
      const from = relative(src, file);
      if (!spec.startsWith('.')) {
        if (!packages.has(spec)) packages.set(spec, from);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!modules.has(target)) {
        modules.set(target, from);
        queue.push(target);
      }
    }
  }
  return { modules, packages };
}

describe('the runtime is Workers-safe and imports no training code', () => {
  const roots = sourcesUnder(here);
  const { modules, packages } = importGraph(roots);

  it('reads the runtime sources, the baselines’ evaluators included', () => {
    const names = roots.map((r) => relative(here, r));
    expect(names).toEqual(
      expect.arrayContaining([
        'index.ts',
        'runner.ts',
        'wasm-kernels.ts',
        'baselines/dispatch.ts',
        'baselines/gbdt.ts',
      ]),
    );
    expect(modules.size).toBeGreaterThan(roots.length);
  });

  it('reaches no module under baselines/, training/ or the other training-side folders', () => {
    for (const [module, from] of modules) {
      const path = relative(src, module);
      for (const folder of TRAINING_SIDE) expect(path, `${from} imports ${path}`).not.toMatch(new RegExp(`^${folder}`));
    }
  });

  it('imports only Workers-safe packages', () => {
    for (const [spec, from] of packages) expect(PACKAGES.has(spec), `${from} imports ${spec}`).toBe(true);
  });
});
