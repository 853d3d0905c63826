/**
 * Issue 19's `pnpm onnx-conformance CASE_DIR…` over the 26 PyTorch exports of the shared data:
 * every case PASSes through import and the runtime, the last line counts them, exit status 0; a
 * folder that is not a case is one line naming the file, exit status 2; a case that does not pass
 * gives exit status 1 (FAIL) or 3 (only UNSUPPORTED).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OnnxGraph } from '@hepml/models/export';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const CASES = join(ROOT, '../shared/data/onnx-pytorch');
const work = mkdtempSync(join(tmpdir(), 'hepml-onnx-conformance-'));

async function conformance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts/onnx-conformance.ts'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  if (!existsSync(CASES)) throw new Error(`shared ONNX cases missing: ${CASES} (see /work/shared/data/README.md)`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pnpm onnx-conformance', () => {
  it('passes every shared PyTorch case', async () => {
    const dirs = readdirSync(CASES)
      .sort()
      .map((c) => join(CASES, c));
    expect(dirs).toHaveLength(26);
    const r = await conformance(dirs);
    const lines = r.stdout.trim().split('\n');
    expect(r.code, r.stderr).toBe(0);
    expect(lines).toHaveLength(27);
    expect(lines.slice(0, 26)).toEqual(dirs.map((d) => `PASS ${d.split('/').at(-1)}`));
    expect(lines.at(-1)).toBe('onnx: 26 passed, 0 failed, 0 unsupported');
  }, 120_000);

  it('exits 3 when a case is only unsupported, 1 when one fails', async () => {
    const erf = join(work, 'erf');
    cpSync(join(CASES, 'test_Sigmoid'), erf, { recursive: true });
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: [2, 3, 4, 5] });
    g.node('Erf', [x], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: [2, 3, 4, 5] });
    writeFileSync(join(erf, 'model.onnx'), g.encode('erf'));
    const unsupported = await conformance([erf]);
    expect(unsupported.code).toBe(3);
    expect(unsupported.stdout).toContain('UNSUPPORTED erf: Erf');
    expect(unsupported.stdout.trim().split('\n').at(-1)).toBe('onnx: 0 passed, 0 failed, 1 unsupported');

    // Sigmoid's references against Tanh's model: a wrong answer.
    const wrong = join(work, 'wrong');
    cpSync(join(CASES, 'test_Sigmoid'), wrong, { recursive: true });
    cpSync(join(CASES, 'test_Tanh/model.onnx'), join(wrong, 'model.onnx'));
    const failed = await conformance([wrong, join(CASES, 'test_ReLU')]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL wrong: max \|Δ\| /m);
    expect(failed.stdout).toContain('PASS test_ReLU');
    expect(failed.stdout.trim().split('\n').at(-1)).toBe('onnx: 1 passed, 1 failed, 0 unsupported');
  }, 60_000);

  it('refuses a folder that is not a case in one line, exit status 2', async () => {
    const empty = join(work, 'empty');
    cpSync(join(CASES, 'test_ReLU/test_data_set_0'), join(empty, 'test_data_set_0'), { recursive: true });
    const r = await conformance([empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `onnx-conformance: ${join(empty, 'model.onnx')}: missing (a case folder holds model.onnx and test_data_set_*/)\n`,
    );
  }, 60_000);
});
