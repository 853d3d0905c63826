import { openRegistry, registryReachable } from '@hepml/models/registry';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { endpoint } from '../lib/endpoint.ts';

/** KServe v2 health endpoints under `/v2/health`: live when the isolate answers, ready when D1 answers. */
export const healthRoute = new OpenAPIHono<AppEnv>();

const Live = z.object({ live: z.boolean() }).openapi('ServerLive');
const Ready = z.object({ ready: z.boolean() }).openapi('ServerReady');

endpoint(
  healthRoute,
  {
    method: 'get',
    path: '/live',
    summary: 'KServe v2 server liveness (the isolate answers)',
    tags: ['kserve v2'],
    responses: { 200: { description: 'Live', schema: Live } },
  },
  (c) => c.json({ live: true }),
);

endpoint(
  healthRoute,
  {
    method: 'get',
    path: '/ready',
    summary: 'KServe v2 server readiness (the registry database answers)',
    tags: ['kserve v2'],
    responses: {
      200: { description: 'Ready', schema: Ready },
      503: { description: 'The registry database does not answer', schema: Ready },
    },
  },
  async (c) =>
    (await registryReachable(openRegistry(c.env.DB))) ? c.json({ ready: true }) : c.json({ ready: false }, 503),
);
