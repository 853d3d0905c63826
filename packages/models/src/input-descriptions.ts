import { REFERENCE_TASKS } from './tasks/reference.ts';

/**
 * What each input variable of the reference tasks' simulations means (`@hepml/physics` sim:
 * ELECTRON_ID_VARIABLES, B_TAGGING_VARIABLES, BOOSTED_JET_VARIABLES, CALO_SHOWER_VARIABLES), as the
 * reference task files write it (`packages/models/tasks/*.json`, `inputs[].description`), for the
 * bundle inputs' `description` so a published model says what it reads. Names shared by several
 * tasks (`eta`, `pt`, `mu`, `f1`, `f3`) mean the same quantity in each (a unit test holds them
 * equal). Units are the sample's (`unit` beside the description), not repeated here.
 */
export const INPUT_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  REFERENCE_TASKS.flatMap((task) => task.inputs.map((input) => [input.name, input.description])),
);

/** The input's description when the variable is a known one, for spreading into a bundle input. */
export function inputDescription(name: string): { description?: string } {
  const description = INPUT_DESCRIPTIONS[name];
  return description === undefined ? {} : { description };
}
