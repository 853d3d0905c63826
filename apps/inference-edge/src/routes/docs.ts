import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env.ts';
import { endpoint, z } from '../lib/endpoint.ts';

/** The document's header: title, version and what the API is about. */
const DOCUMENT_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'hepml-edge inference API',
    version: '1.0.0',
    description:
      'Calibrated tagger and energy-regression inference (v1) and the KServe v2 open inference protocol with the binary tensor data extension. Energies and momenta in GeV, angles in radians. Errors: `{"error": {"code", "message", "field"}}` on /v1, the protocol\'s `{"error": "<message>", "code", "field"}` on /v2. Every answer carries `X-Request-Id` and `Server-Timing` (parse, model, total in ms).',
  },
} as const;

const METHODS: ReadonlySet<string> = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every operation of an OpenAPI document as `METHOD /path`, in the document's order. */
export function operationsOf(doc: { paths?: object }): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const m of Object.keys(item)) if (METHODS.has(m)) out.push(`${m.toUpperCase()} ${path}`);
  }
  return out;
}

const ServiceIndex = z
  .object({
    service: z.string(),
    docs: z.string(),
    openapi: z.string(),
    endpoints: z.array(z.string()).openapi({ description: 'every operation of /v1/openapi.json, `METHOD /path`' }),
  })
  .openapi('ServiceIndex');

/**
 * The API's description of itself, on the app (it documents the whole app, so it is registered
 * last): `/v1/openapi.json`, generated from the zod schemas every route validates with (see
 * `endpoint()`); `/`, the service index whose endpoint list is the document's operations; and
 * `/docs`, a page that renders the document.
 */
export function describeApi(app: OpenAPIHono<AppEnv>): void {
  // Every route is registered before the first request, so the document is built once.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const documentOf = () => {
    document ??= app.getOpenAPI31Document(DOCUMENT_INFO);
    return document;
  };
  endpoint(
    app,
    {
      method: 'get',
      path: '/',
      summary: 'The service index: where the documentation is and every endpoint',
      tags: ['service'],
      responses: { 200: { description: 'The index', schema: ServiceIndex } },
    },
    (c) =>
      c.json({
        service: DOCUMENT_INFO.info.title,
        docs: '/docs',
        openapi: '/v1/openapi.json',
        endpoints: operationsOf(documentOf()),
      }),
  );
  endpoint(
    app,
    {
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This document: the OpenAPI 3.1 description of every endpoint',
      tags: ['service'],
      responses: {
        200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) },
      },
    },
    (c) => c.json(documentOf()),
  );
  endpoint(
    app,
    {
      method: 'get',
      path: '/docs',
      summary: 'The API documentation as a self-contained HTML page (renders /v1/openapi.json)',
      tags: ['service'],
      responses: { 200: { description: 'The page', schema: z.string(), mediaType: 'text/html' } },
    },
    (c) => {
      c.header(
        'content-security-policy',
        "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'",
      );
      return c.html(PAGE);
    },
  );
}

/**
 * `/docs`: a small self-contained page (no CDN, no external script) that reads `/v1/openapi.json`
 * and lists every operation with its parameters, request body and responses, resolving schema
 * references. The inline script and style are allowed by the page's own CSP, nothing else is.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hepml-edge API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 1.5rem;color:#1d2430}
h1{font-size:1.5rem;margin-bottom:.2rem}
.op{border:1px solid #d5dbe3;border-radius:6px;margin:.7rem 0;padding:.5rem .8rem}
.op summary{cursor:pointer;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:3.5rem;font-weight:700}
.get{color:#0b6e4f}.post{color:#8a3b00}.patch{color:#5a3d99}.delete{color:#a1122b}
pre{background:#f4f6f8;padding:.6rem;overflow:auto;font-size:13px}
.tag{font-size:1.1rem;margin-top:1.5rem;border-bottom:1px solid #d5dbe3}
</style>
</head>
<body>
<h1>hepml-edge inference API</h1>
<p>Calibrated tagger and energy-regression inference (v1) and the KServe v2 open inference protocol
(with binary tensor data). Energies and momenta in GeV, angles in radians. Errors:
<code>{"error": {"code", "message", "field"}}</code> on /v1, <code>{"error": "&lt;message&gt;", "code", "field"}</code> on /v2.
The machine-readable document: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
<div id="ops">loading /v1/openapi.json …</div>
<script>
(async () => {
  const root = document.getElementById('ops');
  const doc = await (await fetch('/v1/openapi.json')).json();
  const resolve = (s) => {
    if (s && s.$ref) return resolve(s.$ref.split('/').slice(1).reduce((o, k) => o[k], doc));
    return s;
  };
  const expand = (s, depth) => {
    s = resolve(s);
    if (!s || typeof s !== 'object' || depth > 6) return s;
    const out = Array.isArray(s) ? [] : {};
    for (const [k, v] of Object.entries(s)) out[k] = expand(v, depth + 1);
    return out;
  };
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    Object.assign(e, props);
    for (const k of kids) e.append(k);
    return e;
  };
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  root.textContent = '';
  for (const [tag, ops] of byTag) {
    root.append(el('h2', { className: 'tag', textContent: tag }));
    for (const { path, method, op } of ops) {
      const media = op.requestBody ? Object.keys(op.requestBody.content) : [];
      const body = media.length ? op.requestBody.content[media[0]] : undefined;
      const details = el('details', { className: 'op' },
        el('summary', {}, el('span', { className: 'm ' + method, textContent: method.toUpperCase() }), path + '  — ' + (op.summary || '')));
      if (op.description) details.append(el('p', { textContent: op.description }));
      if (op.parameters && op.parameters.length) {
        details.append(el('h4', { textContent: 'Parameters' }),
          el('pre', { textContent: op.parameters.map((p) => p.in + ' ' + p.name + (p.required ? ' (required)' : '') + ': ' + JSON.stringify(expand(p.schema, 0))).join('\\n') }));
      }
      if (body) details.append(el('h4', { textContent: 'Request body (' + media.join(', ') + ')' }), el('pre', { textContent: JSON.stringify(expand(body.schema, 0), null, 1) }));
      for (const [status, r] of Object.entries(op.responses || {})) {
        const c = r.content && r.content['application/json'];
        details.append(el('h4', { textContent: status + ' ' + r.description }));
        if (c) details.append(el('pre', { textContent: JSON.stringify(expand(c.schema, 0), null, 1) }));
      }
      root.append(details);
    }
  }
})().catch((e) => { document.getElementById('ops').textContent = 'could not load the API document: ' + e; });
</script>
</body>
</html>
`;
