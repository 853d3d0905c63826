import { fail } from '@sveltejs/kit';
import { modelPage, versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url, platform, locals }) => {
  const page = await modelPage(registry(platform), params.name, versionParam(url.searchParams.get('v')), locals.viewer);
  return { ...page, apiOrigin: platform?.env.API_ORIGIN ?? '' };
};

/** What the try-it form answers: the edge API's prediction for the one row sent, or its error. */
export interface TryItResult {
  values: Record<string, string>;
  prediction?: {
    score?: number;
    decisions?: Record<string, boolean>;
    scaleFactor?: { value: number; up?: number; down?: number; uncertainty?: number };
    energy?: number;
    resolution?: number;
  };
  outputs?: Record<string, number[]>;
  version?: number;
  error?: { code: string; message: string; field?: string };
}

type ApiErrorBody = NonNullable<TryItResult['error']>;

function refuse(status: number, values: Record<string, string>, error: ApiErrorBody) {
  return fail(status, { values, error } as TryItResult);
}

export const actions: Actions = {
  /**
   * Try-it: sends the form's one object to the edge API (`API_ORIGIN`), with the session's token
   * when signed in so private models answer too, and shows the calibrated answer. Runs on the
   * server, so it works without client JavaScript and the token never reaches the browser.
   */
  predict: async ({ request, params, url, platform, locals, fetch }) => {
    const form = await request.formData();
    const version = versionParam(url.searchParams.get('v'));
    const values: Record<string, string> = {};
    const row: Record<string, number> = {};
    for (const [key, raw] of form) {
      if (typeof raw !== 'string' || !key.startsWith('in.')) continue;
      const name = key.slice(3);
      values[name] = raw;
      if (raw.trim() === '') continue; // optional fields (pt, eta for scale factors) may stay empty
      const x = Number(raw);
      if (!Number.isFinite(x)) {
        return refuse(400, values, {
          code: 'invalid_input',
          message: `${name} must be a number, got "${raw}"`,
          field: name,
        });
      }
      row[name] = x;
    }
    const origin = platform?.env.API_ORIGIN;
    if (!origin) {
      return refuse(503, values, { code: 'no_api', message: 'API_ORIGIN is not configured for the dashboard' });
    }
    const target = `${origin}/v1/models/${encodeURIComponent(params.name)}/versions/${version}/predict`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (locals.token) headers.authorization = `Bearer ${locals.token}`;
    const wp = form.get('workingPoint');
    const body = { rows: [row], ...(typeof wp === 'string' && wp !== '' ? { workingPoint: wp } : {}) };
    let res: Response;
    try {
      res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (cause) {
      return refuse(502, values, {
        code: 'api_unreachable',
        message: `the inference API at ${origin} did not answer (${String(cause)})`,
      });
    }
    const json = (await res.json().catch(() => null)) as {
      error?: TryItResult['error'];
      predictions?: TryItResult['prediction'][];
      outputs?: Record<string, number[]>;
      version?: number;
    } | null;
    if (!res.ok || !json) {
      return refuse(
        res.ok ? 502 : res.status,
        values,
        json?.error ?? { code: 'api_error', message: `the inference API answered ${res.status}` },
      );
    }
    const answer: TryItResult = {
      values,
      prediction: json.predictions?.[0],
      outputs: json.outputs,
      version: json.version,
    };
    return answer;
  },
};
