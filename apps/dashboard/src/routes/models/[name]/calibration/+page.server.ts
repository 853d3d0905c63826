import { scaleFactorGrids } from '$lib/server/calibration';
import { versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url, platform, locals }) =>
  scaleFactorGrids(
    registry(platform),
    params.name,
    versionParam(url.searchParams.get('v')),
    locals.viewer,
    platform?.env.MODELS,
  );
