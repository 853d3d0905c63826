/**
 * The inference API bundles for Cloudflare within the Workers size limit: `wrangler deploy
 * --dry-run --outdir` (offline, no account, no telemetry) writes what would be uploaded, and its
 * gzip size must stay under the free plan's 3 MiB (the paid plan allows 10 MiB).
 * Limits: https://developers.cloudflare.com/workers/platform/limits/#worker-size
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const WRANGLER = createRequire(join(ROOT, 'package.json')).resolve('wrangler/wrangler-dist/cli.js');
const FREE_PLAN_GZIP_BYTES = 3 * 1024 * 1024;
const outdir = mkdtempSync(join(tmpdir(), 'hepml-edge-bundle-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('edge worker bundle', () => {
  it('fits the Workers size limit (gzip < 3 MiB) and contains the API', () => {
    const run = spawnSync(
      process.execPath,
      [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir, '-c', join(ROOT, 'wrangler.toml')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 90_000,
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: 'false',
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          CI: 'true',
          FORCE_COLOR: '0',
        },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('--dry-run: exiting now.');
    // Every module that would be uploaded (JavaScript and any WebAssembly), not source maps.
    const modules = readdirSync(outdir).filter((f) => !f.endsWith('.map') && f !== 'README.md');
    expect(modules).toContain('index.js');
    let raw = 0;
    let gzip = 0;
    for (const f of modules) {
      const bytes = readFileSync(join(outdir, f));
      raw += statSync(join(outdir, f)).size;
      gzip += gzipSync(bytes, { level: 9 }).byteLength;
    }
    const main = readFileSync(join(outdir, 'index.js'), 'utf8');
    expect(main).toContain('hepml-edge inference API');
    expect(main).toContain('/infer');
    // A bundle this small must be missing the app: guards against measuring an empty build.
    expect(raw).toBeGreaterThan(50_000);
    expect(gzip).toBeLessThan(FREE_PLAN_GZIP_BYTES);
    console.log(
      `edge bundle: ${modules.join(', ')}; ${(raw / 1024).toFixed(0)} KiB raw, ${(gzip / 1024).toFixed(0)} KiB gzip`,
    );
  });
});
