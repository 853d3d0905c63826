#!/usr/bin/env node
/**
 * Runs the pinned pnpm (the `packageManager` field of package.json) with nothing but Node and npm
 * on the machine: a pnpm already on PATH at exactly that version is used, otherwise `npx` fetches
 * it from the npm registry once and caches it. Corepack is not used: it fails on this registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const version = String(pkg.packageManager).replace(/^pnpm@/, '');

function onPath() {
  try {
    return execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const result =
  onPath() === version
    ? spawnSync('pnpm', args, { stdio: 'inherit', env })
    : spawnSync('npx', ['--yes', `pnpm@${version}`, ...args], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
