import adapter from '@sveltejs/adapter-cloudflare';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({
      config: 'wrangler.toml',
      platformProxy: { configPath: 'wrangler.toml', persist: { path: '../../.wrangler/state/v3' } },
    }),
  },
};
