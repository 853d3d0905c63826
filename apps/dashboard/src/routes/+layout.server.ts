import { listTasks } from '@hepml/models/registry';
import { registry } from '$lib/server/registry';
import type { LayoutServerLoad } from './$types';

/**
 * Who is signed in, for the header (the token itself stays on the server), and the navigation: one
 * link per task of the registry the viewer may see (reference and user tasks alike).
 */
export const load: LayoutServerLoad = async ({ locals, platform }) => ({
  userName: locals.viewer.userName,
  tasks: (await listTasks(registry(platform), locals.viewer)).map((t) => ({ id: t.id, title: t.title })),
});
