import { json } from '@sveltejs/kit';
import { figuresDownload } from '$lib/figures';
import { modelPage, versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/** A model version's figures of merit (labelled, grouped) and working points as JSON (`?v=` picks the version). */
export const GET: RequestHandler = async ({ params, url, platform, locals }) => {
  const page = await modelPage(registry(platform), params.name, versionParam(url.searchParams.get('v')), locals.viewer);
  return json(
    figuresDownload({
      model: page.model.name,
      version: page.version,
      task: page.model.task.id,
      metrics: page.manifest.metrics,
      workingPoints: page.manifest.workingPoints,
    }),
    { headers: { 'content-disposition': `attachment; filename="${page.model.name}-v${page.version}-figures.json"` } },
  );
};
