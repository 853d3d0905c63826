import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

/** KServe v2 health endpoints: live when the isolate answers, ready when D1 answers. */
export const healthRoute = new Hono<AppEnv>();

healthRoute.get('/live', (c) => c.json({ live: true }));
healthRoute.get('/ready', async (c) => {
  try {
    await c.env.DB.prepare('select 1').first();
    return c.json({ ready: true });
  } catch {
    return c.json({ ready: false }, 503);
  }
});
