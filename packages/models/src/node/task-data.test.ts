import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Dataset, eventsToDataset, filterDataset, readEventTable, sourceBranch } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { parseTaskJson, type TaskV1 } from '../tasks/task-v1.ts';
import { readTaskData, taskColumns } from './task-data.ts';

const ROOT_DIR = fileURLToPath(new URL('../../../../../shared/data/root/', import.meta.url));
const NANOAOD = `${ROOT_DIR}nanoAOD_2015_CMS_Open_Data_ttbar.root`;
const HZZ = `${ROOT_DIR}uproot-HZZ-zstd.root`;
const GENMATCH = fileURLToPath(new URL('../../tasks/nanoaod-jet-genmatch.json', import.meta.url));

function requireShared(path: string): string {
  if (!existsSync(path)) throw new Error(`shared test file missing: ${path} (see /work/shared/data/README.md)`);
  return path;
}

/** What readTaskData gave before it read in chunks: each file whole, laid out, then selected. */
async function wholeFileDataset(task: TaskV1, path: string): Promise<Dataset> {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const table = await readEventTable(buffer, {
    file: path.split('/').pop() as string,
    branches: [...new Set(taskColumns(task).map(sourceBranch))],
    ...(task.data.source === 'files' && task.data.tree ? { tree: task.data.tree } : {}),
  });
  const data = task.data.source === 'files' ? task.data : undefined;
  const ds = eventsToDataset(table, {
    ...(data?.objects ? { objects: data.objects } : {}),
    ...(data?.pad ? { pad: data.pad } : {}),
  });
  return task.selection ? filterDataset(ds, task.selection) : ds;
}

function expectSameRows(chunked: Dataset, whole: Dataset, columns: readonly string[]): void {
  expect(chunked.n).toBe(whole.n);
  for (const name of columns) {
    expect(chunked.columns[name], name).toBeDefined();
    expect(Array.from(chunked.columns[name] as ArrayLike<number>), name).toEqual(
      Array.from(whole.columns[name] as ArrayLike<number>),
    );
  }
  // Only what the task names is kept.
  expect(Object.keys(chunked.columns).sort()).toEqual([...columns].sort());
}

describe('readTaskData in chunks', () => {
  it('gives the jets of the NanoAOD file a whole-file read gives, selection applied per chunk of 7 events', async () => {
    const task = parseTaskJson(readFileSync(GENMATCH, 'utf8'));
    const whole = await wholeFileDataset(task, requireShared(NANOAOD));
    let chunks = 0;
    let laidOut = 0;
    const chunked = await readTaskData(task, [NANOAOD], {
      chunkEntries: 7,
      onRows: (rows, selected) => {
        chunks++;
        laidOut += rows;
        expect(selected).toBeLessThanOrEqual(rows);
      },
    });
    expect(chunks).toBe(Math.ceil(200 / 7));
    expect(whole.n).toBeGreaterThan(400);
    expect(laidOut).toBeGreaterThanOrEqual(whole.n);
    expectSameRows(chunked, whole, taskColumns(task));
  });

  it('pads per event and reads two files one after the other (HZZ, chunks of 500 events)', async () => {
    const task = parseTaskJson(
      JSON.stringify({
        format: 'hepml-task',
        formatVersion: 1,
        name: 'hzz-pad-test',
        title: 'HZZ padded muons',
        description: 'test: leading muon pt from the MET and the first two jets',
        kind: 'regression',
        inputs: [
          { name: 'met', column: 'MET_px', unit: 'GeV', description: 'MET x' },
          { name: 'jet0', column: 'Jet_Px[0]', unit: 'GeV', description: 'first jet px' },
        ],
        target: { column: 'Muon_Px[0]', unit: 'GeV' },
        selection: 'NMuon >= 1 && NJet >= 1',
        seed: 1,
        data: { source: 'files', files: ['x.root'], tree: 'events', pad: { Jet: 2, Muon: 1 } },
      }),
    );
    const whole = await wholeFileDataset(task, requireShared(HZZ));
    const chunked = await readTaskData(task, [HZZ, HZZ], { chunkEntries: 500 });
    expect(whole.n).toBeGreaterThan(100);
    expect(chunked.n).toBe(2 * whole.n);
    const firstHalf = Object.fromEntries(
      Object.entries(chunked.columns).map(([k, v]) => [k, (v as Float32Array).subarray(0, whole.n)]),
    );
    expectSameRows({ ...chunked, n: whole.n, columns: firstHalf }, whole, taskColumns(task));
  });
});
