import { ANONYMOUS, authenticate, type Principal } from '@hepml/models/registry';
import type { Cookies } from '@sveltejs/kit';
import { registry } from './registry';

/** Name of the httpOnly cookie that keeps the visitor's API token on the server side. */
export const SESSION_COOKIE = 'hepml_token';

/** Cookie lifetime: 8 hours, a working day; the token itself may expire earlier. */
const SESSION_MAX_AGE_S = 8 * 3600;

/**
 * The principal of the token in the session cookie, or the anonymous visitor. A cookie whose
 * token is unknown, revoked or expired is removed, so a stale session falls back to anonymous.
 */
export async function principalOf(
  platform: App.Platform | undefined,
  cookies: Cookies,
): Promise<{ viewer: Principal; token: string | null }> {
  const token = cookies.get(SESSION_COOKIE);
  if (!token || !platform?.env?.DB) return { viewer: ANONYMOUS, token: null };
  const viewer = await authenticate(registry(platform), token);
  if (!viewer) {
    cookies.delete(SESSION_COOKIE, { path: '/' });
    return { viewer: ANONYMOUS, token: null };
  }
  return { viewer, token };
}

/**
 * Stores a token in the session cookie: httpOnly (no script reads it), SameSite=Strict (no other
 * site's form can use it), Secure whenever the dashboard is served over HTTPS.
 */
export function startSession(cookies: Cookies, token: string, url: URL): void {
  cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: url.protocol === 'https:',
    maxAge: SESSION_MAX_AGE_S,
  });
}

/** Ends the session. */
export function endSession(cookies: Cookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
}
