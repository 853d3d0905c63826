import { openRegistry, type RegistryDb } from '@hepml/models/registry';
import { error } from '@sveltejs/kit';

/** The registry on the platform's D1 binding; a missing binding is a 500 that says so. */
export function registry(platform: App.Platform | undefined): RegistryDb {
  if (!platform?.env?.DB) error(500, 'the D1 binding DB is not available (run through wrangler)');
  return openRegistry(platform.env.DB);
}
