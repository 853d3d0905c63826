import { registry } from '$lib/server/registry';
import { versionHistory } from '$lib/server/versions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, platform, locals }) =>
  versionHistory(registry(platform), params.name, locals.viewer);
