/** @module @hepml/models/training — tfjs model factories, backend selection and training loops (Node). */
export * from './backend.ts';
export * from './electron-id.ts';
export * from './train-mlp.ts';
