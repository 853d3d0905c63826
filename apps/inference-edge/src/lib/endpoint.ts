import { firstIssue } from '@hepml/models/api';
import type { Scope } from '@hepml/models/registry';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { requireScope } from '../middleware/auth/index.ts';
import { addTiming } from '../middleware/request-context/index.ts';
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
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  /** The scope a token needs (checked before validation: 401 without a token, 403 without the scope). */
  scope?: Scope;
  /** Body size limit in bytes (default `MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  summary: string;
  tags: string[];
  description?: string;
  params?: P;
  query?: Q;
  /** A JSON body, read with the size limit and validated before the handler runs. */
  body?: B;
  /**
   * A body that is not JSON (an upload), read by the handler itself: its media types with their
   * schemas, for the document. The handler validates what it reads (e.g. form fields with zod).
   */
  upload?: Record<string, z.ZodType>;
  responses: Record<number, ResponseSpec>;
  /** The schema of its error answers (default the API's envelope; `/v2` routes give the protocol's form). */
  errorSchema?: z.ZodType;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** What a handler receives: the validated params, query and body. */
export interface EndpointInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

/** The answer of a route that loads a model version whose files fail verification. */
export const MODEL_UNAVAILABLE: ResponseSpec = {
  description: 'The version failed verification (hash mismatch) and is not served',
  schema: ErrorEnvelopeSchema,
};

/** The answer of a route whose body or batch is over its limit. */
export const TOO_LARGE: ResponseSpec = { description: 'Body or batch over the limit', schema: ErrorEnvelopeSchema };

const BAD_INPUT: ResponseSpec = {
  description: 'Bad input; `error.field` names the field',
  schema: ErrorEnvelopeSchema,
};
const NOT_FOUND: ResponseSpec = {
  description: 'Not found: unknown, or not visible to the caller (a private model looks like a missing one)',
  schema: ErrorEnvelopeSchema,
};

/**
 * Registers an endpoint on `app` and in its OpenAPI registry from one spec, so the document at
 * `/v1/openapi.json` is generated from exactly the zod schemas the handler's input is validated
 * with: every route of the API is defined this way. Validation is done here rather than by
 * `app.openapi()`, so that every failure becomes the API's error envelope with code
 * `invalid_input` naming the field (`rows[3].et`), and a JSON body is read with the size limit
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
  const defaults: Record<number, ResponseSpec> = {};
  const errorSchema = spec.errorSchema ?? ErrorEnvelopeSchema;
  if (spec.params || spec.query || spec.body || spec.upload) defaults[400] = { ...BAD_INPUT, schema: errorSchema };
  if (spec.params) defaults[404] = { ...NOT_FOUND, schema: errorSchema };
  if (spec.scope) {
    defaults[401] = { description: 'No token, or an invalid one', schema: errorSchema };
    defaults[403] = { description: `The token lacks the ${spec.scope} scope`, schema: errorSchema };
  }
  const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
  for (const [status, r] of Object.entries({ ...defaults, ...spec.responses })) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.mediaType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const content: Record<string, { schema: z.ZodType }> = {};
  if (spec.body) content['application/json'] = { schema: spec.body };
  for (const [mediaType, schema] of Object.entries(spec.upload ?? {})) content[mediaType] = { schema };
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.description ? { description: spec.description } : {}),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(Object.keys(content).length > 0 ? { body: { required: true, content } } : {}),
    },
    responses,
  });
  app.openAPIRegistry.registerPath(route);
  const honoPath = spec.path.replaceAll(/\/{(.+?)}/g, '/:$1');
  const run: MiddlewareHandler<AppEnv> = async (c) => {
    const start = performance.now();
    const params = spec.params ? validate(spec.params, c.req.param()) : undefined;
    const query = spec.query ? validate(spec.query, c.req.query()) : undefined;
    const body = spec.body
      ? validate(spec.body, await readJson(c.req.raw, spec.maxBodyBytes ?? Number(c.env.MAX_BODY_BYTES)))
      : undefined;
    addTiming(c, 'parseMs', performance.now() - start);
    return handler(c, { params, query, body } as EndpointInput<P, Q, B>);
  };
  if (spec.scope) app.on(spec.method.toUpperCase(), honoPath, requireScope(spec.scope));
  app.on(spec.method.toUpperCase(), honoPath, run);
}

/** Parses `value` with `schema`; the first issue becomes a 400 `invalid_input` naming its field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = firstIssue(result.error);
  if (issue.unknownKey) throw new ApiError(400, 'invalid_input', `${issue.field} is not a known field`, issue.field);
  const field = issue.field || 'body';
  throw new ApiError(400, 'invalid_input', `${field}: ${issue.message}`, field);
}

export { z };
