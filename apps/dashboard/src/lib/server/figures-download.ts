import type { Principal } from '@hepml/models/registry';
import { figuresDownload } from '$lib/figures';
import { modelPage, versionParam } from './model';
import { registry } from './registry';

/**
 * The figures download of the model version a request names (`params.name`, `?v=`), as the
 * viewer may see it, with the file name stem `<model>-v<version>-figures` for the CSV and JSON routes.
 */
export async function versionFiguresDownload(event: {
  params: { name: string };
  url: URL;
  platform: App.Platform | undefined;
  locals: { viewer: Principal };
}) {
  const { params, url, platform, locals } = event;
  const page = await modelPage(registry(platform), params.name, versionParam(url.searchParams.get('v')), locals.viewer);
  return {
    download: figuresDownload({
      model: page.model.name,
      version: page.version,
      task: page.model.task.id,
      metrics: page.manifest.metrics,
      workingPoints: page.manifest.workingPoints,
    }),
    stem: `${page.model.name}-v${page.version}-figures`,
  };
}
