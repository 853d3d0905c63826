import { ANONYMOUS } from '@hepml/models/registry';
import { isHttpError } from '@sveltejs/kit';
import { scaleFactorGrids } from '$lib/server/calibration';
import { corsError, corsJson, preflight } from '$lib/server/cors';
import { versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/** A public model's scale-factor grids as JSON for the `<hepml-scale-factors>` widget. */
export const GET: RequestHandler = async ({ params, platform, url }) => {
  try {
    const sf = await scaleFactorGrids(
      registry(platform),
      params.name,
      versionParam(url.searchParams.get('v')),
      ANONYMOUS,
    );
    return corsJson({
      ...sf,
      correctionlib: `${url.origin}/models/${sf.name}/calibration/correctionlib.json?v=${sf.version}`,
    });
  } catch (err) {
    if (isHttpError(err)) {
      return corsError(
        err.status,
        err.status === 404 ? 'not_found' : 'invalid',
        err.body.message,
        err.status === 404 ? 'name' : 'v',
      );
    }
    throw err;
  }
};

export const OPTIONS = preflight;
