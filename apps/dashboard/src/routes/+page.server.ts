import { listModels, listTasks } from '@hepml/models/registry';
import { rankEntries } from '$lib/server/leaderboard';
import { registry } from '$lib/server/registry';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ platform, locals }) => {
  const db = registry(platform);
  // The task list is the registry's: reference tasks and user tasks alike, each with a model the viewer may read.
  const [models, tasks] = await Promise.all([listModels(db, { viewer: locals.viewer }), listTasks(db, locals.viewer)]);
  return {
    tasks: tasks.map((task) => {
      const entries = models.filter((m) => m.task === task.id);
      // The promoted model when there is one, else the best entry by the headline figure.
      const promoted = entries.find((m) => m.recommended);
      const best = promoted ?? rankEntries(task, entries)[0];
      return {
        ...task,
        entries: entries.length,
        baselines: entries.filter((m) => m.kind === 'baseline').length,
        recommended: best
          ? {
              name: best.name,
              version: best.latestVersion,
              promoted: promoted !== undefined,
              value: best.metrics[task.headline.metric],
            }
          : null,
      };
    }),
  };
};
