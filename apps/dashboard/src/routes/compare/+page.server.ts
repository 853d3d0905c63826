import { ROC_GRID } from '$lib/roc';
import { comparedVersions, MAX_COMPARED, parseCompareRefs } from '$lib/server/compare';
import { registry } from '$lib/server/registry';
import type { PageServerLoad } from './$types';

/** `/compare?models=a,b@2`: the named versions side by side (server-rendered, works without JS). */
export const load: PageServerLoad = async ({ url, platform, locals }) => {
  const refs = parseCompareRefs(url.searchParams.getAll('models'));
  const versions = refs.length > 0 ? await comparedVersions(registry(platform), refs, locals.viewer) : [];
  return {
    query: refs.map((r) => (r.version === 'latest' ? r.name : `${r.name}@${r.version}`)).join(','),
    versions,
    rocGrid: ROC_GRID,
    max: MAX_COMPARED,
  };
};
