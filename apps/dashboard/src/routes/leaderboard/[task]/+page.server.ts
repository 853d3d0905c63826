import { error } from '@sveltejs/kit';
import { leaderboard } from '$lib/server/leaderboard';
import { registry } from '$lib/server/registry';
import { resolutionEntries } from '$lib/server/resolution';
import type { PageServerLoad } from './$types';

// Sorting and filtering read the URL in the page, not here: the load does not depend on the query
// string, so re-sorting in the browser needs no round trip.
export const load: PageServerLoad = async ({ params, platform, locals }) => {
  const db = registry(platform);
  const board = await leaderboard(db, params.task, locals.viewer);
  if (!board) error(404, `unknown task "${params.task}"`);
  const resolution = board.task.kind === 'regression' ? await resolutionEntries(db, board.entries, locals.viewer) : [];
  return { ...board, resolution };
};
