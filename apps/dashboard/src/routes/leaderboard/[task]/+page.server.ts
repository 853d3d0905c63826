import { findTask, listModels } from '@hepml/models';
import { error } from '@sveltejs/kit';
import { registry } from '$lib/server/registry';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, platform }) => {
  const task = findTask(params.task);
  if (!task) error(404, `unknown task "${params.task}"`);
  const models = await listModels(registry(platform), { task: task.id });
  const sign = task.headline.higherIsBetter ? -1 : 1;
  const metric = task.headline.metric;
  models.sort((a, b) => sign * ((a.metrics[metric] ?? Number.NaN) - (b.metrics[metric] ?? Number.NaN)));
  return { task, models };
};
