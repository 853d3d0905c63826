import { json } from '@sveltejs/kit';
import { versionFiguresDownload } from '$lib/server/figures-download';
import type { RequestHandler } from './$types';

/** A model version's figures of merit (labelled, grouped) and working points as JSON (`?v=` picks the version). */
export const GET: RequestHandler = async (event) => {
  const { download, stem } = await versionFiguresDownload(event);
  return json(download, { headers: { 'content-disposition': `attachment; filename="${stem}.json"` } });
};
