import {
  authenticate,
  deprecateVersion,
  managedModels,
  promoteVersion,
  RegistryError,
  setVisibility,
  type Visibility,
} from '@hepml/models/registry';
import { fail, redirect } from '@sveltejs/kit';
import { registry } from '$lib/server/registry';
import { endSession, startSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

const VISIBILITIES: readonly Visibility[] = ['private', 'collaboration', 'public'];

/** The signed-in user's models (an admin's: all of them), each with its versions, newest first. */
export const load: PageServerLoad = async ({ platform, locals }) => {
  const viewer = locals.viewer;
  if (viewer.userId === null) return { user: null, models: [] };
  const models = await managedModels(registry(platform), viewer);
  return {
    user: { name: viewer.userName, isAdmin: viewer.isAdmin, scopes: viewer.scopes },
    models,
  };
};

/** Runs a registry change; its RegistryError becomes a form failure with the matching status. */
async function change(action: string, work: () => Promise<void>) {
  try {
    await work();
    return { action, ok: true as const };
  } catch (err) {
    if (err instanceof RegistryError) return fail(err.status, { action, error: err.message });
    throw err;
  }
}

function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

function versionField(form: FormData): number | null {
  const v = Number(field(form, 'version'));
  return Number.isInteger(v) && v > 0 ? v : null;
}

export const actions: Actions = {
  /** Checks the token against the registry and keeps it in an httpOnly cookie; it never reaches the page. */
  signin: async ({ request, platform, cookies, url }) => {
    const token = field(await request.formData(), 'token');
    if (!token) return fail(400, { action: 'signin', error: 'enter an API token' });
    const principal = await authenticate(registry(platform), token);
    if (!principal) return fail(401, { action: 'signin', error: 'this token is unknown, revoked or expired' });
    startSession(cookies, token, url);
    redirect(303, '/publish');
  },
  signout: async ({ cookies }) => {
    endSession(cookies);
    redirect(303, '/publish');
  },
  visibility: async ({ request, platform, locals }) => {
    const form = await request.formData();
    const visibility = field(form, 'visibility') as Visibility;
    if (!VISIBILITIES.includes(visibility)) {
      return fail(400, { action: 'visibility', error: `visibility must be one of ${VISIBILITIES.join(', ')}` });
    }
    const collaboration = field(form, 'collaboration') || undefined;
    return change('visibility', () =>
      setVisibility(registry(platform), field(form, 'name'), visibility, locals.viewer, collaboration),
    );
  },
  promote: async ({ request, platform, locals }) => {
    const form = await request.formData();
    const version = versionField(form);
    if (version === null) return fail(400, { action: 'promote', error: 'version must be a positive integer' });
    return change('promote', () => promoteVersion(registry(platform), field(form, 'name'), version, locals.viewer));
  },
  deprecate: async ({ request, platform, locals }) => {
    const form = await request.formData();
    const version = versionField(form);
    if (version === null) return fail(400, { action: 'deprecate', error: 'version must be a positive integer' });
    return change('deprecate', () => deprecateVersion(registry(platform), field(form, 'name'), version, locals.viewer));
  },
};
