/** @module request-context — X-Request-Id, Server-Timing and one JSON log line per request. */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';

/** An incoming `X-Request-Id` is echoed only when it is this plain (no spaces, quotes or control characters). */
const SANE_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** Where a request spent its time, in ms: reading and validating the body, and the model itself. */
export interface RequestTiming {
  parseMs: number;
  modelMs: number;
}

/** What a request served, for its log line: the model version and the rows it evaluated. */
export interface ServedModel {
  model: string;
  version: number;
  rows: number;
}

/** The request's id: a sane incoming `X-Request-Id`, else a fresh UUID. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming !== undefined && SANE_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * Adds `ms` to one of the request's timing phases. Inside a deployed Worker the clock only moves
 * at I/O (a Spectre mitigation), so a phase of pure computation may read 0 there; under workerd
 * locally and in Node it is the real time.
 */
export function addTiming(c: Context<AppEnv>, phase: keyof RequestTiming, ms: number): void {
  const t = c.get('timing');
  if (t) t[phase] += ms;
}

/** Runs `fn`, adding its duration to `phase`. */
export function timed<T>(c: Context<AppEnv>, phase: keyof RequestTiming, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    addTiming(c, phase, performance.now() - start);
  }
}

const ms = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Outermost middleware. Gives every answer, errors included, `X-Request-Id` and `Server-Timing`
 * (`parse`, `model`, `total`, in ms), and logs one JSON line per request: id, method, path,
 * status, ms, and the model, version and rows when a model answered. Nothing from headers,
 * bodies or query strings is logged, so no token or secret can reach the logs.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const start = performance.now();
  const id = requestIdOf(c.req.header('x-request-id'));
  const timing: RequestTiming = { parseMs: 0, modelMs: 0 };
  c.set('requestId', id);
  c.set('timing', timing);
  await next();
  const total = performance.now() - start;
  c.header('X-Request-Id', id);
  c.header('Server-Timing', `parse;dur=${ms(timing.parseMs)}, model;dur=${ms(timing.modelMs)}, total;dur=${ms(total)}`);
  const served = c.get('served');
  console.log(
    JSON.stringify({
      msg: 'request',
      id,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: ms(total),
      ...(served ? { model: served.model, version: served.version, rows: served.rows } : {}),
    }),
  );
});
