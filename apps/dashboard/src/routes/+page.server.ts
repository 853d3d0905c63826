import { listModels, TASKS } from '@hepml/models';
import { registry } from '$lib/server/registry';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ platform }) => {
  const models = await listModels(registry(platform));
  return {
    tasks: TASKS.map((task) => {
      const entries = models.filter((m) => m.task === task.id);
      const sign = task.headline.higherIsBetter ? -1 : 1;
      const best = [...entries]
        .filter((m) => m.metrics[task.headline.metric] !== undefined)
        .sort((a, b) => sign * ((a.metrics[task.headline.metric] ?? 0) - (b.metrics[task.headline.metric] ?? 0)))[0];
      return {
        ...task,
        entries: entries.length,
        best: best ? { name: best.name, value: best.metrics[task.headline.metric] } : null,
      };
    }),
  };
};
