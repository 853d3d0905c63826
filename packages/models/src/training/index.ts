/** @module @hepml/models/training — tfjs model factories, backend selection and training loops (Node). */
export * from '../architectures/index.ts';
export * from './backend.ts';
export * from './common.ts';
export * from './electron-id.ts';
export * from './fit.ts';
export * from './samples.ts';
export * from './study.ts';
export * from './tagger.ts';
export * from './task-file.ts';
export * from './tasks.ts';
export * from './tfjs-wasm-gradients.ts';
export * from './train-mlp.ts';
