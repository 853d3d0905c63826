import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { ErrorEnvelopeSchema } from '../schemas.ts';
import { readJson } from './body.ts';

type AnyObject = z.ZodObject<z.ZodRawShape>;

/** One response of an endpoint, for the OpenAPI document. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Media type of `schema` (default application/json). */
  mediaType?: string;
}

/** An endpoint: its path (OpenAPI style, `/{name}`), the schemas its input is validated with, its answers. */
export interface EndpointSpec<
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
> {
  method: 'get' | 'post' | 'patch';
  path: string;
  /** Middleware run before validation (e.g. a scope check). */
  middleware?: MiddlewareHandler<AppEnv>[];
  /** Body size limit in bytes (default `MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  summary: string;
  tags: string[];
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseSpec>;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** What a handler receives: the validated params, query and body. */
export interface EndpointInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

const ERROR_RESPONSES: Record<number, ResponseSpec> = {
  400: { description: 'Bad input; `error.field` names the field', schema: ErrorEnvelopeSchema },
  404: { description: 'Unknown model or version, or one the caller may not see', schema: ErrorEnvelopeSchema },
};

/**
 * Registers an endpoint on `app` and in its OpenAPI registry from one spec, so the document at
 * `/v1/openapi.json` is generated from exactly the zod schemas the handler's input is validated
 * with. Validation is done here rather than by `app.openapi()`, so that every failure becomes the
 * API's error envelope naming the field (`rows[3].et`) and a JSON body is read with the size limit
 * (`MAX_BODY_BYTES`, 413) whatever its Content-Type.
 */
export function endpoint<
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  app: OpenAPIHono<AppEnv>,
  spec: EndpointSpec<P, Q, B>,
  handler: (c: Context<AppEnv>, input: EndpointInput<P, Q, B>) => Response | Promise<Response>,
): void {
  const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
  for (const [status, r] of Object.entries({ ...ERROR_RESPONSES, ...spec.responses })) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.mediaType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.description ? { description: spec.description } : {}),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  });
  app.openAPIRegistry.registerPath(route);
  const honoPath = spec.path.replaceAll(/\/{(.+?)}/g, '/:$1');
  const run: MiddlewareHandler<AppEnv> = async (c) => {
    const params = spec.params ? validate(spec.params, c.req.param(), '') : undefined;
    const query = spec.query ? validate(spec.query, c.req.query(), '') : undefined;
    const body = spec.body
      ? validate(spec.body, await readJson(c.req.raw, spec.maxBodyBytes ?? Number(c.env.MAX_BODY_BYTES)), '')
      : undefined;
    return handler(c, { params, query, body } as EndpointInput<P, Q, B>);
  };
  for (const m of spec.middleware ?? []) app.on(spec.method.toUpperCase(), honoPath, m);
  app.on(spec.method.toUpperCase(), honoPath, run);
}

/** Parses `value` with `schema`; the first issue becomes a 400 whose field is the issue's path. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ApiError(400, 'invalid_input', 'invalid input', prefix || 'body');
  let path = fieldPath(issue.path, prefix);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    path = fieldPath([...issue.path, issue.keys[0]], prefix);
    throw new ApiError(400, 'invalid_input', `${path} is not a known field`, path);
  }
  const field = path || 'body';
  throw new ApiError(400, 'invalid_input', `${field}: ${issue.message}`, field);
}

/** `['rows', 3, 'et']` → `rows[3].et`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

export { z };
