import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraph } from '../../export/onnx-graph.ts';
import { ProtoWriter } from '../../export/protobuf.ts';
import { formatOnnxCaseResult, formatOnnxSummary, type OnnxCaseFiles, runOnnxCase } from './conformance.ts';
import { decodeOnnxTensor } from './decode.ts';

const CASES = fileURLToPath(new URL('../../../../../../shared/data/onnx-pytorch/', import.meta.url));

beforeAll(() => {
  if (!existsSync(CASES)) throw new Error(`shared ONNX cases missing: ${CASES} (see /work/shared/data/README.md)`);
});

function readCase(name: string): OnnxCaseFiles {
  const dir = `${CASES}${name}/test_data_set_0/`;
  const files = readdirSync(dir);
  const take = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .sort()
      .map((f) => readFileSync(dir + f));
  return {
    name,
    model: readFileSync(`${CASES}${name}/model.onnx`),
    dataSets: [{ inputs: take('input_'), outputs: take('output_') }],
  };
}

describe('ONNX conformance over the shared PyTorch cases', () => {
  const names = existsSync(CASES) ? readdirSync(CASES).sort() : [];

  it('passes all 26 through import and the runtime', async () => {
    expect(names).toHaveLength(26);
    const results = [];
    for (const name of names) results.push(await runOnnxCase(readCase(name)));
    const lines = results.map(formatOnnxCaseResult);
    expect(lines.filter((l) => !l.startsWith('PASS '))).toEqual([]);
    expect(formatOnnxSummary(results)).toBe('onnx: 26 passed, 0 failed, 0 unsupported');
    const arch = Object.fromEntries(results.map((r) => [r.name, r.status === 'pass' ? r.architecture : r.status]));
    // Dense chains are fused into native mlp bundles; the rest run on the interpreter.
    expect(arch.test_Linear).toBe('mlp');
    expect(arch.test_Linear_no_bias).toBe('mlp');
    expect(arch.test_Conv2d).toBe('onnx-graph (batch 2)');
    expect(arch.test_operator_mm).toBe('onnx-graph (batch none)');
    expect(arch.test_operator_add_broadcast).toBe('interpreter (non-float32 tensors)');
  });

  it('fails a case whose reference is perturbed beyond rtol 1e-3, reporting max |Δ|', async () => {
    const c = readCase('test_Sigmoid');
    const out = c.dataSets[0]?.outputs[0] as Uint8Array;
    // Sigmoid outputs lie in (0, 1): scaling one by 1.01 moves it well beyond 1e-3 relative.
    const ref = decodeOnnxTensor(out);
    const data = Float32Array.from(ref.data as Float32Array);
    data[7] = (data[7] as number) * 1.01;
    const w = new ProtoWriter();
    for (const d of ref.dims) w.int(1, d);
    const perturbed = w.int(2, 1).bytes(9, new Uint8Array(data.buffer)).finish();
    const r = await runOnnxCase({ ...c, dataSets: [{ inputs: c.dataSets[0]?.inputs ?? [], outputs: [perturbed] }] });
    expect(r.status).toBe('fail');
    expect(formatOnnxCaseResult(r)).toMatch(
      /^FAIL test_Sigmoid: max \|Δ\| \d\.\d{3}e-\d+; 1 values of output 0 outside the tolerances$/,
    );
  });

  it('reports an op outside the set as UNSUPPORTED naming it', async () => {
    const g = new OnnxGraph(13);
    const x = g.input({ name: 'x', type: 'float', shape: ['N', 2] });
    g.node('Erf', [x], { output: 'y' });
    g.output({ name: 'y', type: 'float', shape: ['N', 2] });
    const input = new ProtoWriter().int(1, 1).int(1, 2).int(2, 1).bytes(9, new Uint8Array(8)).finish();
    const r = await runOnnxCase({
      name: 'erf',
      model: g.encode('erf'),
      dataSets: [{ inputs: [input], outputs: [input] }],
    });
    expect(formatOnnxCaseResult(r)).toBe(
      'UNSUPPORTED erf: Erf (ONNX: graph.node[0] "erf_0": operator Erf is not supported)',
    );
    expect(formatOnnxSummary([r])).toBe('onnx: 0 passed, 0 failed, 1 unsupported');
  });

  it('fails, not crashes, on malformed model bytes', async () => {
    const r = await runOnnxCase({ name: 'junk', model: Uint8Array.of(0x3a, 0x05, 1), dataSets: [] });
    expect(formatOnnxCaseResult(r)).toMatch(/^FAIL junk: ONNX: ModelProto: truncated: graph declares 5 bytes/);
  });
});
