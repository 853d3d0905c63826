/**
 * One registry test suite for both D1 paths the project uses: inside workerd
 * (apps/inference-edge/test/registry.test.ts, @cloudflare/vitest-pool-workers) and through
 * Miniflare from Node (tests/integration/registry-miniflare.test.ts, getPlatformProxy), as
 * drizzle runs one suite against each driver so the two cannot drift.
 */
import { type ScaleFactorTable, scaleFactorsToCorrectionSet } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import { mlpParameterCount } from '../bundle/manifest.ts';
import { attachTaskFile } from '../tasks/bundle-task.ts';
import { referenceTask } from '../tasks/reference.ts';
import { ANONYMOUS, type Principal } from './access.ts';
import { addMember, ensureCollaboration } from './collaborations.ts';
import type { RegistryDb } from './db.ts';
import { schema } from './index.ts';
import { listModels, setVisibility } from './models.ts';
import { attachScaleFactors, publishBundle } from './publish.ts';
import { VersionResolver } from './resolve-cache.ts';
import { encodeScaleFactorTables } from './scale-factor-tables.ts';
import { scaleFactorsOf } from './scale-factors.ts';
import type { BlobStore } from './store.ts';
import { findRegisteredTask, listTasks } from './tasks.ts';
import { authenticate, createToken, ensureUser, revokeToken } from './tokens.ts';
import { deprecateVersion, listVersions, resolveVersion, rocOf } from './versions.ts';

/** What the suite needs from a platform: a registry, its bucket, and a way to list the bucket. */
export interface RegistryFixture {
  db: RegistryDb;
  store: BlobStore;
  /** Keys of the bucket under a prefix. */
  listKeys(prefix: string): Promise<string[]>;
}

async function bundleNamed(
  name: string,
  phase = 0.1,
  rocPoints = 3,
  profile?: 'default' | 'full' | 'custom',
): Promise<Bundle> {
  const layers = [
    { type: 'dense' as const, units: 2, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(2, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(i + phase));
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name,
      task: 'electron-id',
      description: 'registry suite',
      inputs: [
        { name: 'a', unit: '1', offset: 0, scale: 1 },
        { name: 'b', unit: 'GeV', offset: 10, scale: 5 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 2, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.8, bkgEffAt92: 0.1 },
      workingPoints: [],
      roc: {
        signalEfficiency: Array.from({ length: rocPoints }, (_, i) => i / (rocPoints - 1)),
        backgroundEfficiency: Array.from({ length: rocPoints }, (_, i) => (i / (rocPoints - 1)) ** 3),
      },
      lineage: {
        datasetHash: 'suite',
        codeVersion: 'suite',
        seed: 1,
        createdAt: '2026-11-22T00:00:00Z',
        backend: 'none',
        ...(profile ? { profile } : {}),
      },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
}

/** A 2 × 2 pT × |η| table of the medium working point, SF = 0.95 … 0.98, one empty bin. */
function mediumTable(): ScaleFactorTable {
  const eff = (value: number) => ({ value, errorLow: 0.01, errorHigh: 0.01, passed: 90, total: 100 });
  const empty = { value: Number.NaN, errorLow: Number.NaN, errorHigh: Number.NaN, passed: 0, total: 0 };
  return {
    name: 'suite-medium',
    ptEdges: [20, 40, 100],
    absEtaEdges: [0, 1.37, 2.47],
    values: [
      [0.95, 0.96],
      [0.98, Number.NaN],
    ],
    stat: [
      [0.01, 0.02],
      [0.015, Number.NaN],
    ],
    syst: [
      [0.005, 0.01],
      [0.007, Number.NaN],
    ],
    systBySource: {},
    effData: [
      [eff(0.855), eff(0.8)],
      [eff(0.9), empty],
    ],
    effMc: [
      [eff(0.9), eff(0.833)],
      [eff(0.918), empty],
    ],
    provenance: { data: 'pseudo-data', mc: 'suite MC', method: 'tag-and-probe, same-sign subtracted' },
  };
}

async function calibratedBundle(name: string, tablesJson: string): Promise<Bundle> {
  const base = await bundleNamed(name);
  const { files: _files, ...manifest } = base.manifest;
  const data = new Map(base.files);
  data.delete('manifest.json');
  const sf = scaleFactorsToCorrectionSet(mediumTable(), { nonFiniteBins: { value: 1, uncertainty: 1 } });
  data.set('scale-factors.json', new TextEncoder().encode(JSON.stringify(sf)));
  data.set('scale-factor-tables.json', new TextEncoder().encode(tablesJson));
  return buildBundle(
    {
      ...manifest,
      workingPoints: [{ name: 'medium', signalEfficiency: 0.9, threshold: 0.5, backgroundEfficiency: 0.05 }],
      calibration: { scaleFactors: 'scale-factors.json', tables: 'scale-factor-tables.json' },
    },
    data,
  );
}

async function publisher(db: RegistryDb, name: string): Promise<Principal> {
  const userId = await ensureUser(db, name);
  const { token } = await createToken(db, { userId, name: 'suite', scopes: ['read', 'publish'] });
  const p = await authenticate(db, token);
  if (!p) throw new Error('fresh token did not authenticate');
  return p;
}

/** A bundle of a user task (a copy of the reference bjet task file renamed), task.json attached. */
async function userTaskBundle(name: string, taskName: string, attach = true): Promise<Bundle> {
  const base = await bundleNamed(name);
  const { files: _files, ...manifest } = base.manifest;
  const bundle = await buildBundle(
    { ...manifest, task: taskName },
    new Map([...base.files].filter(([path]) => path !== 'manifest.json')),
  );
  if (!attach) return bundle;
  const task = { ...referenceTask('bjet'), name: taskName, title: `User task ${taskName}` };
  return attachTaskFile(bundle, { ...task, data: { source: 'files', objects: 'Jet' } });
}

/** Registers the registry suite; `fixture` is called inside each test (after the platform is up). */
export function registrySuite(label: string, fixture: () => RegistryFixture): void {
  describe(`registry on ${label}`, () => {
    it("learns a user task from its bundle's task.json and lists it only beside a readable model (issue 18)", async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-tasks');
      await expect(
        publishBundle(db, store, await userTaskBundle('suite-bare', 'suite-bare-task', false), { actor }),
      ).rejects.toThrow(/unknown task "suite-bare-task": a bundle of a new task carries its task file/);
      await publishBundle(db, store, await userTaskBundle('suite-user-public', 'suite-public-task'), {
        actor,
        visibility: 'public',
      });
      await publishBundle(db, store, await userTaskBundle('suite-user-private', 'suite-private-task'), { actor });
      await publishBundle(db, store, await bundleNamed('suite-reference-task'), { actor, visibility: 'public' });
      const anonymous = (await listTasks(db, ANONYMOUS)).map((t) => t.id);
      expect(anonymous).toContain('suite-public-task');
      expect(anonymous).not.toContain('suite-private-task');
      expect((await listTasks(db, actor)).map((t) => t.id)).toContain('suite-private-task');
      expect(await findRegisteredTask(db, 'suite-private-task', ANONYMOUS)).toBeUndefined();
      const task = await findRegisteredTask(db, 'suite-public-task', ANONYMOUS);
      expect(task).toEqual({
        id: 'suite-public-task',
        title: 'User task suite-public-task',
        kind: 'classifier',
        description: referenceTask('bjet').description,
        headline: { metric: 'auc', label: 'AUC', higherIsBetter: true },
        reference: false,
      });
      // Reference tasks come first, in their order.
      const ids = (await listTasks(db, actor)).map((t) => t.id);
      expect(ids.indexOf('electron-id')).toBeLessThan(ids.indexOf('suite-public-task'));
    });

    it('publishes atomically: version, artifacts, metrics and ROC points together', async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-alice');
      const bundle = await bundleNamed('suite-atomic');
      const published = await publishBundle(db, store, bundle, { actor, visibility: 'public' });
      expect(published.version).toBe(1);
      const resolved = await resolveVersion(db, 'suite-atomic', 'latest', ANONYMOUS);
      expect(Object.keys(resolved.files).sort()).toEqual(['manifest.json', 'weights.bin']);
      const object = await store.get(resolved.files['weights.bin']?.r2Key ?? '');
      expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(
        bundle.files.get('weights.bin'),
      );
      const metrics = await db.select().from(schema.metrics);
      expect(metrics.filter((m) => m.name === 'bkgEffAt92').length).toBeGreaterThan(0);
    });

    it('lists each model with the training profile of its newest version (issue 22)', async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-profiles');
      await publishBundle(db, store, await bundleNamed('suite-profile-full', 0.3, 3, 'full'), {
        actor,
        visibility: 'public',
      });
      await publishBundle(db, store, await bundleNamed('suite-profile-none', 0.4), { actor, visibility: 'public' });
      await publishBundle(db, store, await bundleNamed('suite-profile-none', 0.5, 3, 'default'), {
        actor,
        visibility: 'public',
      });
      const listed = await listModels(db, { task: 'electron-id', viewer: actor });
      const profileOf = (name: string) => listed.find((m) => m.name === name)?.profile;
      expect(profileOf('suite-profile-full')).toBe('full');
      expect(profileOf('suite-profile-none')).toBe('default');
      await publishBundle(db, store, await bundleNamed('suite-profile-none', 0.6), { actor, visibility: 'public' });
      const again = await listModels(db, { task: 'electron-id', viewer: actor });
      expect(again.find((m) => m.name === 'suite-profile-none')?.profile).toBeNull();
    });

    it('stores a 500-point ROC curve whole (D1 binds at most 100 parameters per statement)', async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-roc');
      const bundle = await bundleNamed('suite-roc', 0.2, 500);
      const { version } = await publishBundle(db, store, bundle, { actor, visibility: 'public' });
      const points = await rocOf(db, 'suite-roc', version, ANONYMOUS);
      expect(points).toHaveLength(500);
      expect(points[250]?.s).toBeCloseTo(250 / 499, 12);
      expect(points[499]?.b).toBe(1);
    });

    it('stores the scale-factor tables of a calibrated bundle with the version; a bad table publishes nothing', async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-sf');
      const good = new TextDecoder().decode(
        encodeScaleFactorTables([{ workingPoint: 'medium', table: mediumTable() }]),
      );
      const { version } = await publishBundle(db, store, await calibratedBundle('suite-sf', good), {
        actor,
        visibility: 'public',
      });
      const [table, ...rest] = await scaleFactorsOf(db, 'suite-sf', version, ANONYMOUS);
      expect(rest).toEqual([]);
      expect(table?.workingPoint).toBe('medium');
      expect(table?.dataSample).toBe('pseudo-data');
      // The empty bin is not stored; the others keep stat and syst apart and their efficiencies.
      expect(table?.bins).toEqual([
        {
          ptLo: 20,
          ptHi: 40,
          absEtaLo: 0,
          absEtaHi: 1.37,
          value: 0.95,
          stat: 0.01,
          syst: 0.005,
          effData: 0.855,
          effMc: 0.9,
        },
        {
          ptLo: 20,
          ptHi: 40,
          absEtaLo: 1.37,
          absEtaHi: 2.47,
          value: 0.96,
          stat: 0.02,
          syst: 0.01,
          effData: 0.8,
          effMc: 0.833,
        },
        {
          ptLo: 40,
          ptHi: 100,
          absEtaLo: 0,
          absEtaHi: 1.37,
          value: 0.98,
          stat: 0.015,
          syst: 0.007,
          effData: 0.9,
          effMc: 0.918,
        },
      ]);
      const broken = good.replace('"stat":[[0.01', '"stat":[[-0.01');
      await expect(
        publishBundle(db, store, await calibratedBundle('suite-sf-bad', broken), { actor, visibility: 'public' }),
      ).rejects.toThrow(/scale-factor-tables\.json: tables\[0\]\.table\.stat\[0\]\[0\]: must be ≥ 0/);
      await expect(resolveVersion(db, 'suite-sf-bad', 'latest', actor)).rejects.toThrow(/not found/);
    });

    it('attaches scale factors to a published version as a new version with its parent recorded', async () => {
      const { db, store } = fixture();
      const actor = await publisher(db, 'suite-attach');
      const outsider = await publisher(db, 'suite-attach-outsider');
      const first = await publishBundle(db, store, await bundleNamed('suite-attach'), { actor, visibility: 'public' });
      const table = mediumTable();
      const correctionlib = new TextEncoder().encode(
        JSON.stringify(scaleFactorsToCorrectionSet(table, { nonFiniteBins: { value: 1, uncertainty: 1 } })),
      );
      const tables = encodeScaleFactorTables([{ workingPoint: 'medium', table }]);
      await expect(
        attachScaleFactors(db, store, 'suite-attach', first.version, { actor: outsider, correctionlib, tables }),
      ).rejects.toThrow(/may not/);
      const second = await attachScaleFactors(db, store, 'suite-attach', first.version, {
        actor,
        correctionlib,
        tables,
      });
      expect(second.version).toBe(first.version + 1);
      const resolved = await resolveVersion(db, 'suite-attach', 'latest', ANONYMOUS);
      expect(resolved.manifest.calibration).toEqual({
        scaleFactors: 'scale-factors.json',
        tables: 'scale-factor-tables.json',
      });
      // The weights travel unchanged; the old version is untouched (immutable).
      expect(resolved.files['weights.bin']?.sha256).toBe(first.files.find((f) => f.path === 'weights.bin')?.sha256);
      expect((await resolveVersion(db, 'suite-attach', first.version, ANONYMOUS)).manifest.calibration).toBeUndefined();
      const versions = await listVersions(db, 'suite-attach', ANONYMOUS);
      expect(versions[0]?.parentVersion).toBe(first.version);
      expect((await scaleFactorsOf(db, 'suite-attach', second.version, ANONYMOUS))[0]?.bins).toHaveLength(3);
      // A correctionlib file that is not JSON is refused and nothing new is visible.
      await expect(
        attachScaleFactors(db, store, 'suite-attach', 'latest', { actor, correctionlib: new Uint8Array([123]) }),
      ).rejects.toThrow(/scale-factors\.json: not valid JSON/);
      expect((await resolveVersion(db, 'suite-attach', 'latest', ANONYMOUS)).version).toBe(second.version);
    });

    it('gives 100 concurrent publishes of one model versions 1..100, no gap, no duplicate, no orphan', async () => {
      const { db, store, listKeys } = fixture();
      const actor = await publisher(db, 'suite-bob');
      const bundle = await bundleNamed('suite-race');
      const results = await Promise.all(
        Array.from({ length: 100 }, () => publishBundle(db, store, bundle, { actor, retries: 200 })),
      );
      expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const versions = await listVersions(db, 'suite-race', actor);
      expect(versions).toHaveLength(100);
      // Every stored object is referenced by exactly one artifact row, and every row has its object.
      const artifactKeys = new Set<string>();
      for (const v of versions) {
        const r = await resolveVersion(db, 'suite-race', v.version, actor);
        for (const f of Object.values(r.files)) artifactKeys.add(f.r2Key);
      }
      const stored = await listKeys('bundles/');
      for (const key of artifactKeys) expect(stored).toContain(key);
      expect(artifactKeys.size).toBe(200);
      // …and no object in the bucket is without an artifact row (no orphan).
      const referenced = new Set(
        (await db.select({ k: schema.artifacts.r2Key }).from(schema.artifacts)).map((r) => r.k),
      );
      expect(stored.filter((k) => !referenced.has(k))).toEqual([]);
    });

    it('leaves nothing behind when an upload is interrupted half-way', async () => {
      const { db, store, listKeys } = fixture();
      const actor = await publisher(db, 'suite-carol');
      const before = new Set(await listKeys('bundles/'));
      let puts = 0;
      const failing: BlobStore = {
        get: (k) => store.get(k),
        delete: (k) => store.delete(k),
        put: async (k, v) => {
          puts++;
          if (puts === 2) throw new Error('connection reset');
          return store.put(k, v);
        },
      };
      await expect(publishBundle(db, failing, await bundleNamed('suite-interrupted'), { actor })).rejects.toThrow(
        /nothing was published/,
      );
      await expect(resolveVersion(db, 'suite-interrupted', 'latest', actor)).rejects.toThrow(/not found/);
      const after = (await listKeys('bundles/')).filter((k) => !before.has(k));
      expect(after).toEqual([]);
    });

    it('stores tokens hashed; revoked and expired tokens fail', async () => {
      const { db } = fixture();
      const userId = await ensureUser(db, 'suite-dave');
      const { id, token } = await createToken(db, { userId, name: 't', scopes: ['read'] });
      // hepml_<12-character id>_<secret>; the secret is base64url and may itself contain '_'.
      const secret = token.slice('hepml_'.length + 13);
      expect(secret).toHaveLength(43);
      const rows = await db.select().from(schema.apiTokens);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(await authenticate(db, token)).not.toBeNull();
      // One character off: refused.
      const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect(await authenticate(db, wrong)).toBeNull();
      await revokeToken(db, id, userId);
      expect(await authenticate(db, token)).toBeNull();
      const expiring = await createToken(db, {
        userId,
        name: 'e',
        scopes: ['read'],
        expiresAt: '2030-01-01T00:00:00Z',
      });
      expect(await authenticate(db, expiring.token, new Date('2029-12-31T23:59:59Z'))).not.toBeNull();
      expect(await authenticate(db, expiring.token, new Date('2030-01-01T00:00:00Z'))).toBeNull();
    });

    it('resolves references through the TTL cache: access checked every call, writes seen after invalidate or the TTL', async () => {
      const { db, store } = fixture();
      const owner = await publisher(db, 'suite-cache');
      const clock = { t: 0 };
      const resolver = new VersionResolver({ ttlMs: 1000, maxEntries: 4, now: () => clock.t });
      // Unknown: not_found naming the name, and not kept, so the publish a moment later is seen at once.
      await expect(resolver.resolve(db, 'suite-cached', 'latest', owner)).rejects.toMatchObject({
        code: 'not_found',
        status: 404,
        field: 'name',
      });
      await publishBundle(db, store, await bundleNamed('suite-cached'), { actor: owner });
      const first = await resolver.resolve(db, 'suite-cached', 'latest', owner);
      expect(first).toMatchObject({ name: 'suite-cached', version: 1, status: 'active', visibility: 'private' });
      expect(first.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
      // The same reference as the uncached resolve.
      const full = await resolveVersion(db, 'suite-cached', 'latest', owner);
      expect({ ...full, manifest: undefined, files: undefined }).toEqual({
        ...first,
        manifest: undefined,
        files: undefined,
      });
      // The access check is not cached: a private model is not_found to others on a warm lookup too.
      await expect(resolver.resolve(db, 'suite-cached', 'latest', ANONYMOUS)).rejects.toMatchObject({
        code: 'not_found',
      });
      // A version published behind the resolver's back is seen after the TTL, or at once after invalidate.
      await publishBundle(db, store, await bundleNamed('suite-cached', 0.4), { actor: owner });
      clock.t = 999;
      expect((await resolver.resolve(db, 'suite-cached', 'latest', owner)).version).toBe(1);
      resolver.invalidate('suite-cached');
      expect((await resolver.resolve(db, 'suite-cached', 'latest', owner)).version).toBe(2);
      await deprecateVersion(db, 'suite-cached', 2, owner);
      clock.t = 999 + 1001;
      expect((await resolver.resolve(db, 'suite-cached', 'latest', owner)).version).toBe(1);
      await expect(resolver.resolve(db, 'suite-cached', 7, owner)).rejects.toMatchObject({
        code: 'not_found',
        field: 'version',
        message: 'model "suite-cached" has no version 7',
      });
      expect((await resolver.resolve(db, 'suite-cached', 2, owner)).status).toBe('deprecated');
    });

    it('shows private and collaboration models only to those allowed', async () => {
      const { db, store } = fixture();
      const owner = await publisher(db, 'suite-erin');
      const other = await publisher(db, 'suite-frank');
      await publishBundle(db, store, await bundleNamed('suite-private'), { actor: owner });
      await expect(resolveVersion(db, 'suite-private', 'latest', other)).rejects.toThrow(/not found/);
      await expect(resolveVersion(db, 'suite-private', 'latest', ANONYMOUS)).rejects.toThrow(/not found/);
      expect((await resolveVersion(db, 'suite-private', 'latest', owner)).version).toBe(1);
      const collab = await ensureCollaboration(db, 'suite-collab');
      await addMember(db, collab, other.userId ?? 0);
      await addMember(db, collab, owner.userId ?? 0);
      const ownerInCollab = { ...owner, collaborationIds: [collab] };
      await setVisibility(db, 'suite-private', 'collaboration', ownerInCollab, 'suite-collab');
      const otherInCollab = { ...other, collaborationIds: [collab] };
      expect((await resolveVersion(db, 'suite-private', 'latest', otherInCollab)).version).toBe(1);
      await expect(resolveVersion(db, 'suite-private', 'latest', ANONYMOUS)).rejects.toThrow(/not found/);
    });
  });
}
