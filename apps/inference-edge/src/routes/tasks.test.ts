// Storage persists across the tests of a file here, so each test publishes under its own name.

import { env } from 'cloudflare:workers';
import { attachTaskFile, referenceTask } from '@hepml/models';
import { buildBundle } from '@hepml/models/bundle';
import { openRegistry, publishBundle, systemPrincipal } from '@hepml/models/registry';
import { describe, expect, it } from 'vitest';
import { api } from '../../test/api.ts';
import { publishTiny, tinyBundle } from '../../test/fixtures.ts';

describe('/v1/tasks (issue 18)', () => {
  it('lists the reference and user tasks with a readable model, reference tasks first', async () => {
    await publishTiny('tasks-reference');
    const tiny = await tinyBundle('tasks-user');
    const { files: _files, ...manifest } = tiny.manifest;
    const data = new Map([...tiny.files].filter(([path]) => path !== 'manifest.json'));
    const user = await buildBundle({ ...manifest, task: 'edge-user-task' }, data);
    const task = { ...referenceTask('bjet'), name: 'edge-user-task', title: 'An edge user task' };
    const db = openRegistry(env.DB);
    await publishBundle(db, env.MODELS, await attachTaskFile(user, { ...task, data: { source: 'files' } }), {
      actor: await systemPrincipal(db),
      visibility: 'public',
    });
    const res = await api('/v1/tasks');
    expect(res.status).toBe(200);
    const { tasks } = (await res.json()) as { tasks: { id: string; title: string; reference: boolean }[] };
    expect(tasks[0]).toMatchObject({ id: 'electron-id', reference: true });
    expect(tasks.find((t) => t.id === 'edge-user-task')).toMatchObject({
      title: 'An edge user task',
      reference: false,
    });
    expect(tasks.map((t) => t.id).indexOf('electron-id')).toBeLessThan(
      tasks.map((t) => t.id).indexOf('edge-user-task'),
    );
  });
});
