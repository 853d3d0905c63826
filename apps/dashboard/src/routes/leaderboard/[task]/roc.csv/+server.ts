import { error } from '@sveltejs/kit';
import { toCsv } from '$lib/figures';
import { leaderboard } from '$lib/server/leaderboard';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/**
 * The leaderboard's ROC curves as CSV: the signal efficiency εS grid, then 1/εB of each entry with
 * a stored curve (empty where undefined). Server-rendered, so it downloads without JavaScript.
 */
export const GET: RequestHandler = async ({ params, platform, locals }) => {
  const board = await leaderboard(registry(platform), params.task, locals.viewer);
  if (!board) error(404, `unknown task "${params.task}"`);
  if (board.task.kind !== 'classifier') error(404, `task "${params.task}" is a regression and has no ROC curves`);
  const curves = board.entries.filter((e) => e.rejection !== null);
  const rows = [
    ['signal efficiency εS', ...curves.map((e) => `1/εB ${e.name} v${e.latestVersion}`)],
    ...board.rocGrid.map((x, j) => [x, ...curves.map((e) => e.rejection?.[j] ?? null)]),
  ];
  return new Response(toCsv(rows), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${board.task.id}-roc.csv"`,
    },
  });
};
