/** @module @hepml/models/api — zod schemas of the HTTP API's answers shared by the edge and the dashboard, and zod issues as field paths. */
export * from './error.ts';
export * from './issue.ts';
export * from './predict.ts';
