import { figuresCsv, figuresDownload } from '$lib/figures';
import { modelPage, versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/** A model version's figures of merit and working points as CSV (`?v=` picks the version). */
export const GET: RequestHandler = async ({ params, url, platform, locals }) => {
  const page = await modelPage(registry(platform), params.name, versionParam(url.searchParams.get('v')), locals.viewer);
  const body = figuresCsv(
    figuresDownload({
      model: page.model.name,
      version: page.version,
      task: page.model.task.id,
      metrics: page.manifest.metrics,
      workingPoints: page.manifest.workingPoints,
    }),
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${page.model.name}-v${page.version}-figures.csv"`,
    },
  });
};
