import { resolveVersion } from '@hepml/models/registry';
import { error } from '@sveltejs/kit';
import { gridsToCorrectionSet, scaleFactorGrids } from '$lib/server/calibration';
import { orNotFound, versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/**
 * The scale factors of a model version as a correctionlib schema-v2 file: the bundle's own file
 * (from R2) when the version carries one, else written from the registry's scale-factor tables.
 */
export const GET: RequestHandler = async ({ params, url, platform, locals }) => {
  const db = registry(platform);
  const version = versionParam(url.searchParams.get('v'));
  const sf = await scaleFactorGrids(db, params.name, version, locals.viewer);
  const filename = `${sf.name}-v${sf.version}-scale-factors.json`;
  const headers = { 'content-type': 'application/json', 'content-disposition': `attachment; filename="${filename}"` };
  if (sf.calibrationFile && platform?.env.MODELS) {
    const resolved = await orNotFound(resolveVersion(db, params.name, sf.version, locals.viewer));
    const key = resolved.files[sf.calibrationFile]?.r2Key;
    const object = key ? await platform.env.MODELS.get(key) : null;
    if (object) return new Response(object.body, { headers });
  }
  if (sf.grids.length === 0) error(404, `${sf.name} v${sf.version} has no scale factors`);
  return new Response(JSON.stringify(gridsToCorrectionSet(sf.name, sf.version, sf.grids), null, 1), { headers });
};
