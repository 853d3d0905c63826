import { figuresCsv } from '$lib/figures';
import { versionFiguresDownload } from '$lib/server/figures-download';
import type { RequestHandler } from './$types';

/** A model version's figures of merit and working points as CSV (`?v=` picks the version). */
export const GET: RequestHandler = async (event) => {
  const { download, stem } = await versionFiguresDownload(event);
  return new Response(figuresCsv(download), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${stem}.csv"`,
    },
  });
};
