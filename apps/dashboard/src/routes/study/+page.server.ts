import { studies } from '$lib/server/study';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({ studies: studies() });
