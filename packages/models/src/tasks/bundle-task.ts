/**
 * A user task travels with its bundles as `task.json` (a {@link TaskV1}, listed and hashed in
 * `manifest.files` like every file), so the registry learns a task the code has never seen from
 * the first bundle published for it. Reference tasks need no copy: the code has their files.
 */
import { type Bundle, buildBundle, MANIFEST_FILE } from '../bundle/build.ts';
import { parseTaskJson, type TaskV1 } from './task-v1.ts';

/** Name of the task file inside a bundle. */
export const TASK_FILE = 'task.json';

/**
 * The bundle with `task` as its `task.json` (local file paths of `data.files` left out: they name
 * the trainer's disk, not the task). The manifest's `task` must be the task's name.
 */
export async function attachTaskFile(bundle: Bundle, task: TaskV1): Promise<Bundle> {
  if (bundle.manifest.task !== task.name) {
    throw new RangeError(`bundle ${bundle.manifest.name} is of task ${bundle.manifest.task}, not ${task.name}`);
  }
  const data = task.data.source === 'files' ? { ...task.data, files: undefined } : task.data;
  const bytes = new TextEncoder().encode(`${JSON.stringify({ ...task, data }, null, 2)}\n`);
  const files = new Map(bundle.files);
  files.delete(MANIFEST_FILE);
  files.set(TASK_FILE, bytes);
  const { files: _listed, ...manifest } = bundle.manifest;
  return buildBundle(manifest, files);
}

/** The task file a bundle carries, parsed strictly, or undefined when it has none. */
export function bundleTaskFile(bundle: Bundle): TaskV1 | undefined {
  const bytes = bundle.files.get(TASK_FILE);
  if (!bytes) return undefined;
  return parseTaskJson(new TextDecoder().decode(bytes), `${bundle.manifest.name}/${TASK_FILE}`);
}
