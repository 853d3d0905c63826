import type { Handle } from '@sveltejs/kit';
import { principalOf } from '$lib/server/session';

/** Resolves who is asking once per request; pages read `locals.viewer` and never the cookie itself. */
export const handle: Handle = async ({ event, resolve }) => {
  const { viewer, token } = await principalOf(event.platform, event.cookies);
  event.locals.viewer = viewer;
  event.locals.token = token;
  return resolve(event);
};
