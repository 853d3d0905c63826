// The shared registry suite on local D1 and R2 through Miniflare from Node (getPlatformProxy),
// the path `npm start` and the offline tools use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, type RegistryDb } from '@hepml/models/registry';
import { afterAll, beforeAll } from 'vitest';
import { getPlatformProxy } from 'wrangler';
import { registrySuite } from '../../packages/models/src/registry/registry.suite.ts';
import { API_CONFIG, applyMigrations } from '../../scripts/local-stack.ts';

const persistTo = mkdtempSync(join(tmpdir(), 'hepml-registry-'));
type Bucket = R2BucketLike;
interface R2BucketLike {
  put(key: string, value: ArrayBuffer | Uint8Array | string): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  delete(keys: string | string[]): Promise<void>;
  list(options: { prefix: string; cursor?: string }): Promise<{
    objects: { key: string }[];
    truncated: boolean;
    cursor?: string;
  }>;
}
let proxy: Awaited<ReturnType<typeof getPlatformProxy<{ DB: Parameters<typeof openRegistry>[0]; MODELS: Bucket }>>>;
let db: RegistryDb;

beforeAll(async () => {
  await applyMigrations(persistTo);
  proxy = await getPlatformProxy({
    configPath: API_CONFIG,
    persist: { path: join(persistTo, 'v3') },
    remoteBindings: false,
  });
  db = openRegistry(proxy.env.DB);
});

afterAll(async () => {
  await proxy?.dispose();
  rmSync(persistTo, { recursive: true, force: true });
});

registrySuite('local D1 through Miniflare (getPlatformProxy)', () => ({
  db,
  store: proxy.env.MODELS,
  async listKeys(prefix) {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await proxy.env.MODELS.list({ prefix, ...(cursor ? { cursor } : {}) });
      keys.push(...page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return keys;
  },
}));
