import { ANONYMOUS } from '@hepml/models/registry';
import { corsError, corsJson, preflight } from '$lib/server/cors';
import { leaderboard } from '$lib/server/leaderboard';
import { registry } from '$lib/server/registry';
import type { RequestHandler } from './$types';

/** A task's public leaderboard as JSON for the `<hepml-leaderboard>` widget (ranked, ROC on the common grid). */
export const GET: RequestHandler = async ({ params, platform, url }) => {
  const board = await leaderboard(registry(platform), params.task, ANONYMOUS);
  if (!board) return corsError(404, 'not_found', `unknown task "${params.task}"`, 'task');
  return corsJson({
    task: board.task,
    rocGrid: board.rocGrid,
    entries: board.entries.map((e) => ({
      name: e.name,
      kind: e.kind,
      version: e.latestVersion,
      author: e.author,
      createdAt: e.createdAt,
      parameters: e.parameters,
      recommended: e.recommended,
      metrics: e.metrics,
      rejection: e.rejection,
      url: `${url.origin}/models/${e.name}`,
    })),
  });
};

export const OPTIONS = preflight;
