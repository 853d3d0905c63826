/**
 * @module hepml-widgets — the dashboard's embeddable web components (Svelte custom elements):
 * `<hepml-leaderboard task="…">` and `<hepml-scale-factors model="…">`. Built by
 * `vite.widgets.config.ts` into `static/widgets/v1/hepml-widgets.js`; one script tag embeds both.
 * Both sit in `WidgetFrame` (failure, loading, the shared look) and load through `loadJson`; the
 * figures, formatting, colours and the scale-factor grid are the dashboard's own, from `$lib`.
 */
import HepmlLeaderboard from './HepmlLeaderboard.svelte';
import HepmlScaleFactors from './HepmlScaleFactors.svelte';

/** Svelte sets `.element` (the custom-element class) on components compiled with `customElement: true`. */
type WithElement = { element?: CustomElementConstructor };

const ELEMENTS: [string, WithElement][] = [
  ['hepml-leaderboard', HepmlLeaderboard as unknown as WithElement],
  ['hepml-scale-factors', HepmlScaleFactors as unknown as WithElement],
];

for (const [tag, component] of ELEMENTS) {
  // A page may load the script twice (or two versions): the first definition wins.
  if (component.element && !customElements.get(tag)) customElements.define(tag, component.element);
}
