/** @module @hepml/inference-edge — Hono app on Cloudflare Workers serving calibrated model inference. */
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { ApiError, errorResponse } from './errors.ts';
import { healthRoute } from './routes/health.ts';
import { modelsRoute } from './routes/models.ts';

const app = new Hono<AppEnv>();

app.get('/', (c) =>
  c.json({
    service: 'hepml-edge inference API',
    endpoints: ['GET /v1/models', 'POST /v1/models/{name}/predict', 'GET /v2/health/live', 'GET /v2/health/ready'],
  }),
);
app.route('/v1/models', modelsRoute);
app.route('/v2/health', healthRoute);
app.notFound((c) => errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c));
app.onError(errorResponse);

export default app;
