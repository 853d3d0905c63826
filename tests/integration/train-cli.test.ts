/**
 * Issue 22's training profiles through `pnpm train`: an unknown `--profile` is refused with one
 * line and exit status 2; a run with `--n` writes bundles whose lineage names the profile
 * (`custom`, since `--n` overrides the default profile's size) and the manifest parses strictly.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readBundleDir } from '@hepml/models/node';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hepml-train-'));

async function train(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts/train.ts'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pnpm train --profile', () => {
  it('refuses an unknown profile with one line and exit status 2', async () => {
    const r = await train(['--profile', 'fast', '--out', work]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['train: --profile must be one of default, full, got "fast"']);
  }, 60_000);

  it('--backend webgpu without an adapter fails with one line naming why (exit 2); auto falls back and says so', async () => {
    const r = await train(['--task', 'bjet', '--model', 'cuts', '--backend', 'webgpu', '--out', work]);
    expect(r.code).toBe(2);
    // Dawn itself may print a warning about the missing Vulkan loader before it; ours is the last line.
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^train: backend webgpu unavailable: WebGPU: .*no adapter/);
  }, 60_000);

  it('writes the profile into the lineage (custom when --n overrides it)', async () => {
    const r = await train(['--task', 'bjet', '--model', 'cuts', '--n', '1500', '--out', work]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /train: backend wasm \(.*WebGPU: .*requestAdapter\(\) gave no adapter.*; WebAssembly backend loaded/,
    );
    expect(r.stderr).toContain('train: profile custom');
    const bundle = await readBundleDir(join(work, 'bjet-cuts'));
    expect(bundle.manifest.lineage.profile).toBe('custom');
  }, 120_000);
});
