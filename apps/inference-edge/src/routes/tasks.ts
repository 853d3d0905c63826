import { listTasks, openRegistry } from '@hepml/models/registry';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { endpoint } from '../lib/endpoint.ts';
import { TaskListSchema } from '../schemas.ts';

/**
 * `/v1/tasks`: the registry's tasks — the reference tasks and every user task a model was
 * published for — each listed only when the caller may read one of its models.
 */
export const tasksRoute = new OpenAPIHono<AppEnv>();

endpoint(
  tasksRoute,
  {
    method: 'get',
    path: '/',
    summary: 'List the tasks the caller may see',
    tags: ['models'],
    responses: {
      200: { description: 'Tasks in leaderboard order, with the figure that ranks them', schema: TaskListSchema },
    },
  },
  async (c) => c.json({ tasks: await listTasks(openRegistry(c.env.DB), c.get('principal')) }),
);
