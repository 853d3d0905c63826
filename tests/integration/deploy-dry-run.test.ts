/**
 * Issue 20: `pnpm run deploy -- --dry-run` works offline with no account. It bundles both Workers
 * as `wrangler deploy` would, checks them against Cloudflare's limits (gzip size on the free plan,
 * start-up, static assets, CPU time of a batch-1 request), writes the deploy configs without
 * touching the committed wrangler.toml files, prints the plan and exits 0. Without an account a
 * real deploy stops at once with exit 2 and one line; a bad flag is exit 2 too.
 * Reuses the dashboard's build when it is fresh (as the browser tests do).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketListed, databaseIdFrom, deployedUrl } from '../../scripts/deploy.ts';
import { type CheckResult, cpuTimeMs } from '../../scripts/deploy-checks.ts';
import { API_CONFIG, DASHBOARD_CONFIG, ROOT } from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const DEPLOY_DIR = join(ROOT, '.hepml/deploy');
const home = mkdtempSync(join(tmpdir(), 'hepml-deploy-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The environment of a machine with no Cloudflare login: no token, an empty home. */
function noAccountEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  for (const k of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID', 'CF_API_TOKEN', 'CF_ACCOUNT_ID']) delete env[k];
  return env;
}

async function deploy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // The command as users type it, `--` included.
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'scripts/pnpm.mjs'), 'run', '--silent', 'deploy', '--', ...args],
      { cwd: ROOT, env: noAccountEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('pnpm run deploy -- --dry-run', () => {
  it('checks both bundles against the free plan, start-up and batch-1 CPU time; prints the plan; exit 0', async () => {
    const committed = [readFileSync(API_CONFIG, 'utf8'), readFileSync(DASHBOARD_CONFIG, 'utf8')];
    const r = await deploy(['--dry-run']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const { plan, results } = JSON.parse(readFileSync(join(DEPLOY_DIR, 'checks.json'), 'utf8')) as {
      plan: string;
      results: CheckResult[];
    };
    expect(plan).toBe('free');
    const check = (name: string) => {
      const c = results.find((x) => x.name === name);
      if (!c) throw new Error(`no check "${name}" in checks.json: ${results.map((x) => x.name).join(', ')}`);
      expect(r.stdout).toContain(`deploy check: ok   ${name}: `);
      return c;
    };
    for (const worker of ['api', 'dashboard']) {
      const size = check(`${worker}: size`);
      expect(size).toMatchObject({ ok: true, unit: 'bytes', limit: 3 * 1024 * 1024 });
      // A bundle this small would be missing the app: guards against measuring an empty build.
      expect(size.value).toBeGreaterThan(50_000);
      expect(size.value).toBeLessThan(size.limit as number);
      const startup = check(`${worker}: start-up`);
      expect(startup).toMatchObject({ ok: true, unit: 'ms', limit: 400 });
      expect(startup.value).toBeGreaterThan(0);
    }
    const assets = check('dashboard: static assets');
    expect(assets.value).toBeGreaterThan(0);
    const cpu1 = check('api: CPU per request, batch 1');
    expect(cpu1).toMatchObject({ ok: true, unit: 'ms', limit: 10 });
    expect(cpu1.value).toBeGreaterThan(0);
    expect(cpu1.value).toBeLessThan(10);
    const cpu1000 = check('api: CPU per request, batch 1000');
    expect(cpu1000.limit).toBeNull();
    // More rows cost more CPU: the figure measures the model, not a constant overhead.
    expect(cpu1000.value).toBeGreaterThan(cpu1.value);

    // The plan names what a deployment would create and run.
    expect(r.stdout).toContain('--dry-run, nothing was created or uploaded');
    for (const step of [
      'wrangler d1 create hepml-registry',
      'wrangler r2 bucket create hepml-models',
      'wrangler d1 migrations apply hepml-registry --remote',
      'Worker "hepml-inference-edge"',
      'Worker "hepml-dashboard"',
    ]) {
      expect(r.stdout).toContain(step);
    }

    // The deploy configs: absolute paths, the rate limit's Durable Object, the committed files untouched.
    const api = JSON.parse(readFileSync(join(DEPLOY_DIR, 'api.wrangler.json'), 'utf8'));
    expect(api.main).toBe(join(ROOT, 'apps/inference-edge/src/index.ts'));
    expect(api.d1_databases[0].migrations_dir).toBe(join(ROOT, 'packages/models/drizzle'));
    expect(api.durable_objects.bindings).toEqual([{ name: 'RATE_LIMITER', class_name: 'RateLimiter' }]);
    expect(api.migrations[0].new_sqlite_classes).toEqual(['RateLimiter']);
    const dashboard = JSON.parse(readFileSync(join(DEPLOY_DIR, 'dashboard.wrangler.json'), 'utf8'));
    expect(dashboard.assets.directory).toBe(join(ROOT, 'apps/dashboard/.svelte-kit/cloudflare'));
    expect(dashboard.vars.API_ORIGIN).toMatch(/^https:\/\/hepml-inference-edge\./);
    expect([readFileSync(API_CONFIG, 'utf8'), readFileSync(DASHBOARD_CONFIG, 'utf8')]).toEqual(committed);
  });

  it('without an account a real deploy stops before doing anything: exit 2, one line', async () => {
    const r = await deploy([]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('deploy: not authenticated with Cloudflare');
    expect(r.stderr).toContain('wrangler login');
    expect(r.stdout).not.toContain('creating D1');
  });

  it('a bad flag is exit 2 with one line naming it', async () => {
    const plan = await deploy(['--dry-run', '--plan', 'enterprise']);
    expect(plan.code).toBe(2);
    expect(plan.stderr.trim()).toBe('deploy: --plan must be free or paid, got "enterprise"');
    const unknown = await deploy(['--dryrun']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("'--dryrun'");
  });
});

describe('reading what wrangler prints', () => {
  it('finds the database id in `d1 list --json`, the bucket in `r2 bucket list`, the address in `deploy`', () => {
    const d1 = JSON.stringify([
      { uuid: '0a1b2c3d-0000-4000-8000-000000000001', name: 'other-db', version: 'production', num_tables: 3 },
      { uuid: '0a1b2c3d-0000-4000-8000-0000000000d1', name: 'hepml-registry', version: 'production', num_tables: 9 },
    ]);
    expect(databaseIdFrom(d1, 'hepml-registry')).toBe('0a1b2c3d-0000-4000-8000-0000000000d1');
    expect(databaseIdFrom(d1, 'hepml')).toBeUndefined();
    expect(databaseIdFrom('[]', 'hepml-registry')).toBeUndefined();
    expect(() => databaseIdFrom('{"error":1}', 'hepml-registry')).toThrow(/did not answer a list/);
    // `wrangler r2 bucket list`: labelled values, one block per bucket (colours when a terminal).
    const r2 = [
      'Listing buckets...',
      'name:           hepml-models-old',
      'creation_date:  2026-01-02T03:04:05.000Z',
      '',
      '\u001b[37mname:\u001b[39m           \u001b[90mhepml-models\u001b[39m',
      'creation_date:  2026-02-03T04:05:06.000Z',
    ].join('\n');
    expect(bucketListed(r2, 'hepml-models')).toBe(true);
    expect(bucketListed(r2, 'hepml')).toBe(false);
    const deployOut = [
      'Total Upload: 1389.46 KiB / gzip: 262.01 KiB',
      'Uploaded hepml-inference-edge (4.12 sec)',
      'Deployed hepml-inference-edge triggers (0.85 sec)',
      '  https://hepml-inference-edge.physics-lab.workers.dev',
      'Current Version ID: 5d7c9a1e-0000-4000-8000-000000000000',
    ].join('\n');
    expect(deployedUrl(deployOut)).toBe('https://hepml-inference-edge.physics-lab.workers.dev');
    expect(deployedUrl('No deploy targets for hepml-inference-edge')).toBeUndefined();
  });

  it('reads the CPU time `ps -o time=` prints (macOS to the hundredth, procps to the second)', () => {
    expect(cpuTimeMs('   0:01.23\n')).toBeCloseTo(1230, 9);
    expect(cpuTimeMs('00:00:07')).toBe(7000);
    expect(cpuTimeMs('1:02:03.5')).toBeCloseTo(3_723_500, 9);
    expect(() => cpuTimeMs('')).toThrow(/ps printed no CPU time/);
    expect(() => cpuTimeMs('n/a')).toThrow(/ps printed no CPU time/);
  });
});
