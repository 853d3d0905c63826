import { sveltekit } from '@sveltejs/kit/vite';
import { build, defineConfig, type Plugin } from 'vite';

/**
 * Builds the embeddable widgets (vite.widgets.config.ts) into static/ before SvelteKit's own build
 * copies static/, so one `vite build` yields both. SvelteKit runs several builds; this runs once.
 */
function widgets(): Plugin {
  let built: Promise<unknown> | undefined;
  return {
    name: 'hepml-widgets',
    apply: 'build',
    buildStart() {
      built ??= build({ configFile: new URL('./vite.widgets.config.ts', import.meta.url).pathname });
      return built.then(() => undefined);
    },
  };
}

export default defineConfig({ plugins: [widgets(), sveltekit()] });
