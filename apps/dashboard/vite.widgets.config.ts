import { fileURLToPath } from 'node:url';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/**
 * The embeddable widgets as one classic script (IIFE) of custom elements, written where SvelteKit
 * serves static files: /widgets/v1/hepml-widgets.js. The path carries the major version: a change
 * that breaks embedding pages goes to v2 beside it.
 */
export const WIDGETS_VERSION = 'v1';

export default defineConfig({
  plugins: [svelte({ configFile: false, preprocess: vitePreprocess(), compilerOptions: { customElement: true } })],
  // The widgets share the dashboard's $lib (formatting, palette, the scale-factor grid).
  resolve: { alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) } },
  build: {
    lib: {
      entry: fileURLToPath(new URL('./src/widgets/index.ts', import.meta.url)),
      name: 'hepmlWidgets',
      formats: ['iife'],
      fileName: () => 'hepml-widgets.js',
    },
    outDir: fileURLToPath(new URL(`./static/widgets/${WIDGETS_VERSION}`, import.meta.url)),
    emptyOutDir: true,
    copyPublicDir: false,
    minify: true,
  },
  logLevel: 'warn',
});
