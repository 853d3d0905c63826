// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Principal } from '@hepml/models/registry';

declare global {
  namespace App {
    interface Error {
      message: string;
    }
    interface Locals {
      /** Who is asking: the anonymous visitor unless a valid token is in the session cookie. */
      viewer: Principal;
      /** The session's API token (server-side only; forwarded to the edge API for try-it). */
      token: string | null;
    }
    interface Platform {
      env: Env;
      ctx: ExecutionContext;
      caches: CacheStorage;
      cf?: IncomingRequestCfProperties;
    }
  }
}
