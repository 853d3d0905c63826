// Private and collaboration models are invisible (404, like a missing model) to outsiders on every
// read route of the edge API, v1 and KServe v2 alike (issue 7, issue 11).
import { describe, expect, it } from 'vitest';
import { api, errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish, tokenFor } from '../../test/fixtures.ts';

const row = { et: 40, eta: 0.2, reta: 0.95 };
const infer = {
  inputs: [
    { name: 'et', shape: [1], datatype: 'FP32', data: [40] },
    { name: 'eta', shape: [1], datatype: 'FP32', data: [0.2] },
    { name: 'reta', shape: [1], datatype: 'FP32', data: [0.95] },
  ],
};

function routes(name: string): [string, (token?: string) => Promise<Response>][] {
  return [
    ['detail', (t) => get(`/v1/models/${name}`, t)],
    ['version', (t) => get(`/v1/models/${name}/versions/1`, t)],
    ['latest', (t) => get(`/v1/models/${name}/versions/latest`, t)],
    ['versions', (t) => get(`/v1/models/${name}/versions`, t)],
    ['bundle', (t) => get(`/v1/models/${name}/versions/1/bundle`, t)],
    ['predict', (t) => post(`/v1/models/${name}/predict`, { rows: [row] }, t)],
    ['predict v1', (t) => post(`/v1/models/${name}/versions/1/predict`, { rows: [row] }, t)],
    ['scale factors', (t) => get(`/v1/models/${name}/scale-factors`, t)],
    ['kserve metadata', (t) => get(`/v2/models/${name}`, t)],
    ['kserve version', (t) => get(`/v2/models/${name}/versions/1`, t)],
    ['kserve ready', (t) => get(`/v2/models/${name}/ready`, t)],
    ['kserve infer', (t) => post(`/v2/models/${name}/infer`, infer, t)],
  ];
}

describe('visibility on every read route', () => {
  it('hides a private model from anonymous callers and other users, shows it to its owner', async () => {
    await publish(await mlpBundle({ name: 'secret-tagger' }), { visibility: 'private', owner: 'olga' });
    const owner = await tokenFor('olga', ['read']);
    const stranger = await tokenFor('sam', ['read', 'publish']);
    for (const [what, call] of routes('secret-tagger')) {
      for (const token of [undefined, stranger]) {
        const res = await call(token);
        expect(res.status, `${what} as ${token ? 'stranger' : 'anonymous'}`).toBe(404);
        expect((await errorOf(res)).message).not.toContain('private');
      }
      const mine = await call(owner);
      // The model has no scale factors: that route is 404 for the owner too, with its own code.
      if (what === 'scale factors') expect((await errorOf(mine)).code).toBe('no_scale_factors');
      else expect(mine.status, `${what} as owner`).toBe(200);
    }
    // The outsider's answer is the one for a model that does not exist.
    const missing = await errorOf(await get('/v1/models/never-published', stranger));
    const hidden = await errorOf(await get('/v1/models/secret-tagger', stranger));
    expect(hidden.code).toBe(missing.code);
    const list = (await (await get('/v1/models', stranger)).json()) as { models: { name: string }[] };
    expect(list.models.map((m) => m.name)).not.toContain('secret-tagger');
  });

  it('shows a collaboration model to members only', async () => {
    await publish(await mlpBundle({ name: 'collab-tagger' }), {
      visibility: 'collaboration',
      owner: 'carla',
      collaboration: 'cms-btv',
    });
    const member = await tokenFor('mia', ['read'], { collaboration: 'cms-btv' });
    const outsider = await tokenFor('otto', ['read'], { collaboration: 'atlas-egamma' });
    for (const [what, call] of routes('collab-tagger')) {
      if (what === 'scale factors') continue;
      expect((await call(member)).status, `${what} as member`).toBe(200);
      expect((await call(outsider)).status, `${what} as outsider`).toBe(404);
    }
  });
});

describe('changes through the API take effect at once', () => {
  it('hides a model made private and skips a deprecated version for latest, right after the change', async () => {
    const owner = await tokenFor('paula', ['read', 'publish']);
    const stranger = await tokenFor('sven', ['read']);
    await publish(await mlpBundle({ name: 'flip-tagger' }), { visibility: 'public', owner: 'paula' });
    await publish(await mlpBundle({ name: 'flip-tagger', phase: 1 }), { visibility: 'public', owner: 'paula' });
    const predict = (t?: string) => post('/v1/models/flip-tagger/predict', { rows: [row] }, t);
    const before = await predict(stranger);
    expect(before.status).toBe(200);
    expect(((await before.json()) as { version: number }).version).toBe(2);
    const deprecated = await post('/v1/models/flip-tagger/versions/2/deprecate', {}, owner);
    expect(deprecated.status).toBe(200);
    expect(((await (await predict(stranger)).json()) as { version: number }).version).toBe(1);
    const patch = await api('/v1/models/flip-tagger', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` },
      body: JSON.stringify({ visibility: 'private' }),
    });
    expect(patch.status).toBe(200);
    expect((await predict(stranger)).status).toBe(404);
    expect((await predict()).status).toBe(404);
    expect((await post('/v2/models/flip-tagger/infer', infer, stranger)).status).toBe(404);
    expect((await predict(owner)).status).toBe(200);
  });
});
