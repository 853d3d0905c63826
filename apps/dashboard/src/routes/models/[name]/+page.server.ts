import {
  type ErrorEnvelope,
  ErrorEnvelopeSchema,
  type PredictResponse,
  PredictResponseSchema,
} from '@hepml/models/api';
import { fail } from '@sveltejs/kit';
import { modelPage, versionParam } from '$lib/server/model';
import { registry } from '$lib/server/registry';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url, platform, locals }) => {
  const page = await modelPage(registry(platform), params.name, versionParam(url.searchParams.get('v')), locals.viewer);
  return { ...page, apiOrigin: platform?.env.API_ORIGIN ?? '' };
};

/**
 * What the try-it form answers: the edge API's prediction for the one row sent (the first row of
 * its predict answer, `@hepml/models/api`), or its error envelope's error.
 */
export type TryItResult = Partial<Pick<PredictResponse, 'outputs' | 'version'>> & {
  values: Record<string, string>;
  prediction?: PredictResponse['predictions'][number];
  error?: ErrorEnvelope['error'];
};

type ApiErrorBody = NonNullable<TryItResult['error']>;

function refuse(status: number, values: Record<string, string>, error: ApiErrorBody) {
  const result: TryItResult = { values, error };
  return fail(status, result);
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
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const envelope = ErrorEnvelopeSchema.safeParse(json);
      return refuse(
        res.status,
        values,
        envelope.success
          ? envelope.data.error
          : { code: 'api_error', message: `the inference API answered ${res.status}` },
      );
    }
    const parsed = PredictResponseSchema.safeParse(json);
    if (!parsed.success) {
      return refuse(502, values, {
        code: 'api_error',
        message: `the inference API answered ${res.status} with a body that is not a predict answer`,
      });
    }
    const answer: TryItResult = {
      values,
      prediction: parsed.data.predictions[0],
      outputs: parsed.data.outputs,
      version: parsed.data.version,
    };
    return answer;
  },
};
