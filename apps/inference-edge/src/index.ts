/** @module @hepml/inference-edge — Hono app on Cloudflare Workers serving calibrated model inference. */
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { ApiError, errorResponse } from './errors.ts';
import { authenticateRequest } from './middleware/auth/index.ts';
import { healthRoute } from './routes/health.ts';
import { modelsRoute } from './routes/models.ts';
import { publishRoute } from './routes/publish.ts';
import { accountRoute } from './routes/tokens.ts';
import { versionsRoute } from './routes/versions.ts';

const app = new Hono<AppEnv>();

app.get('/', (c) =>
  c.json({
    service: 'hepml-edge inference API',
    endpoints: [
      'GET /v1/models',
      'POST /v1/models (publish a bundle)',
      'POST /v1/models/{name}/predict',
      'GET /v1/models/{name}/versions',
      'GET /v1/models/{name}/versions/{v}/bundle',
      'POST /v1/models/{name}/versions/{v}/deprecate',
      'POST /v1/models/{name}/versions/{v}/promote',
      'PATCH /v1/models/{name}',
      'GET /v1/models/{name}/audit',
      'GET /v1/me',
      'POST /v1/tokens',
      'GET /v2/health/live',
      'GET /v2/health/ready',
    ],
  }),
);
app.use('/v1/*', authenticateRequest);
app.use('/v2/*', authenticateRequest);
app.route('/v1/models', publishRoute);
app.route('/v1/models', versionsRoute);
app.route('/v1/models', modelsRoute);
app.route('/v1', accountRoute);
app.route('/v2/health', healthRoute);
app.notFound((c) => errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`), c));
app.onError(errorResponse);

export default app;
