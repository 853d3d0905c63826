/** @module @hepml/models/bundle — bundle format v1: manifest types, strict validation, hashes. */

export { BundleError } from '../errors.ts';
export * from './build.ts';
export * from './cnn-film.ts';
export * from './hash.ts';
export * from './manifest.ts';
export * from './tar.ts';
export * from './verify.ts';
