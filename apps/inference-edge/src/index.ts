/** @module @hepml/inference-edge — Hono app on Cloudflare Workers serving calibrated model inference. */

import { initWasmKernels } from '@hepml/models/runtime';
import kernels from '@hepml/models/wasm/kernels.wasm';
import { OpenAPIHono } from '@hono/zod-openapi';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env.ts';
import { ApiError, errorResponse } from './errors.ts';
import { authenticateRequest } from './middleware/auth/index.ts';
import { limitsFromEnv, rateLimit } from './middleware/rate-limit/index.ts';
import { requestContext } from './middleware/request-context/index.ts';
import { describeApi } from './routes/docs.ts';
import { healthRoute } from './routes/health.ts';
import { kserveRoute } from './routes/kserve.ts';
import { modelsRoute } from './routes/models.ts';
import { publishRoute } from './routes/publish.ts';
import { tasksRoute } from './routes/tasks.ts';
import { accountRoute } from './routes/tokens.ts';
import { versionsRoute } from './routes/versions.ts';

// workerd refuses to compile WebAssembly from bytes at run time; wrangler bundles the `.wasm`
// import as a precompiled module instead, and every runner built afterwards uses its SIMD kernels
// (without this the runners fall back to their TypeScript loops).
initWasmKernels(kernels);

const app = new OpenAPIHono<AppEnv>();

// Outermost, so that every answer (errors, 404s and 429s included) carries X-Request-Id and
// Server-Timing, and every request is one log line.
app.use('*', requestContext);

// nosniff, referrer-policy no-referrer, frame and cross-origin policies on every answer, errors
// included. No CORS headers are sent: browsers on other origins can neither read answers nor send
// the Authorization header (the preflight fails), which is what a token-authenticated API wants.
app.use('*', secureHeaders());

app.use('/v1/*', authenticateRequest);
app.use('/v2/*', authenticateRequest);
// After authentication, so that a token's owner is one client wherever it calls from.
const limit = rateLimit(limitsFromEnv);
app.use('/v1/*', limit);
app.use('/v2/*', limit);
app.route('/v1/models', publishRoute);
app.route('/v1/models', versionsRoute);
app.route('/v1/models', modelsRoute);
app.route('/v1/tasks', tasksRoute);
app.route('/v1', accountRoute);
app.route('/v2/health', healthRoute);
app.route('/v2', kserveRoute);
// Last: the document describes every route registered above (and these three).
describeApi(app);
app.notFound((c) => errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c));
app.onError(errorResponse);

export default app;
// The rate limit's Durable Object class; wrangler.toml binds it as RATE_LIMITER.
export { RateLimiter } from './middleware/rate-limit/index.ts';
