import { error } from '@sveltejs/kit';
import { figureLabel, toCsv } from '$lib/figures';
import { leaderboard } from '$lib/server/leaderboard';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/**
 * The leaderboard's figures of merit as CSV, one row per entry in rank order, full precision; the
 * header carries each figure's label with its unit, the metric key in brackets. Served by the
 * server so the download works without JavaScript.
 */
export const GET: RequestHandler = async ({ params, platform, locals }) => {
  const board = await leaderboard(registry(platform), params.task, locals.viewer);
  if (!board) error(404, `unknown task "${params.task}"`);
  const keys = [...new Set(board.entries.flatMap((e) => Object.keys(e.metrics)))].sort();
  const rows = [
    ['rank', 'model', 'version', 'kind', 'recommended', ...keys.map((k) => `${figureLabel(k).label} (${k})`)],
    ...board.entries.map((e, i) => [
      i + 1,
      e.name,
      e.latestVersion,
      e.kind,
      e.recommended ? 'yes' : 'no',
      ...keys.map((k) => e.metrics[k]),
    ]),
  ];
  return new Response(toCsv(rows), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${board.task.id}-leaderboard.csv"`,
    },
  });
};
