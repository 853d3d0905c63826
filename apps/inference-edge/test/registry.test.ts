// The shared registry suite on D1 and R2 inside workerd.
import { env } from 'cloudflare:workers';
import { openRegistry } from '@hepml/models/registry';
import { registrySuite } from '../../../packages/models/src/registry/registry.suite.ts';

registrySuite('D1 in workerd (vitest-pool-workers)', () => ({
  db: openRegistry(env.DB),
  store: env.MODELS,
  async listKeys(prefix) {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await env.MODELS.list({ prefix, ...(cursor ? { cursor } : {}) });
      keys.push(...page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return keys;
  },
}));
