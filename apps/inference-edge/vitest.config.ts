import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Worker tests run inside workerd with the bindings of the root wrangler.toml; D1 migrations are
// read here (Node) and applied in test/apply-migrations.ts (inside the worker) before each file.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: root('../../wrangler.toml') },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(root('../../packages/models/drizzle')),
          // The suites send thousands of requests from one client; the limit itself is tested
          // with its own settings (src/middleware/rate-limit/http.test.ts).
          RATE_LIMIT_PER_SECOND: '0',
        },
      },
    })),
  ],
  // The repository root, so that modules of other workspace packages (the `.wasm` kernels of
  // @hepml/models) get root-relative ids: vitest-pool-workers joins a precompiled module's id to
  // the root, which breaks on the `/@fs/` ids Vite gives files outside it.
  // (Paths in the test options and the JSON report path are relative to this root.)
  root: root('../..'),
  test: {
    include: ['apps/inference-edge/src/**/*.test.ts', 'apps/inference-edge/test/**/*.test.ts'],
    setupFiles: [root('./test/apply-migrations.ts')],
    testTimeout: 30_000,
    // One JSON log line per request (src/middleware/request-context): thousands in the suites.
    // The line itself is checked in src/middleware/request-context/index.test.ts.
    onConsoleLog: (log) => !log.startsWith('{"msg":"request"'),
  },
});
