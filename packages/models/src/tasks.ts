/** The reference tasks of hepml-edge and how their leaderboards rank entries. */
export interface TaskInfo {
  id: string;
  title: string;
  kind: 'classifier' | 'regression';
  /** Metric that ranks the leaderboard and whether larger is better. */
  headline: { metric: string; label: string; higherIsBetter: boolean };
  description: string;
}

export const TASKS: readonly TaskInfo[] = [
  {
    id: 'electron-id',
    title: 'Electron identification',
    kind: 'classifier',
    headline: { metric: 'auc', label: 'AUC', higherIsBetter: true },
    description:
      'Prompt electrons against jets, conversions and heavy flavour; ATLAS-style shower, track and track–cluster variables.',
  },
  {
    id: 'bjet',
    title: 'b-jet tagging',
    kind: 'classifier',
    headline: { metric: 'auc', label: 'AUC', higherIsBetter: true },
    description: "b against c and light jets with ALEPH's six variables.",
  },
  {
    id: 'boosted-jet',
    title: 'Boosted W/top tagging',
    kind: 'classifier',
    headline: { metric: 'auc', label: 'AUC', higherIsBetter: true },
    description: 'W and top against QCD large-R jets from substructure (mass, τ21, τ32, D2, C2).',
  },
  {
    id: 'energy-regression',
    title: 'e/γ energy regression',
    kind: 'regression',
    headline: { metric: 'eIqr', label: 'eIQR', higherIsBetter: false },
    description: 'Electron and photon energy from calorimeter scalars and images, against the standard calibration.',
  },
];

/** The task with this id, or undefined. */
export function findTask(id: string): TaskInfo | undefined {
  return TASKS.find((t) => t.id === id);
}
