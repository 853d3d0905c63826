import type { LayoutServerLoad } from './$types';

/** Who is signed in, for the header (the token itself stays on the server). */
export const load: LayoutServerLoad = ({ locals }) => ({ userName: locals.viewer.userName });
