/** @module @hepml/models/architectures — tfjs-layers model factories and training losses. */
export * from './cnn-film.ts';
export * from './losses.ts';
export * from './mlp.ts';
export * from './regression.ts';
export * from './taggers.ts';
