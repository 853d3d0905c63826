import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxImportError } from '../../errors.ts';
import { OnnxGraph } from '../../export/onnx-graph.ts';
import { ProtoWriter } from '../../export/protobuf.ts';
import { decodeOnnxModel, decodeOnnxTensor } from './decode.ts';
import { encodeOnnxModel } from './encode.ts';

const CASES = fileURLToPath(new URL('../../../../../../shared/data/onnx-pytorch/', import.meta.url));

beforeAll(() => {
  if (!existsSync(CASES)) throw new Error(`shared ONNX cases missing: ${CASES} (see /work/shared/data/README.md)`);
});

/** A model our exporter writes: every attribute kind it has, float32/float64/int64 initializers. */
function exported(): Uint8Array {
  const g = new OnnxGraph(13).useOpset('ai.onnx.ml', 3);
  const x = g.input({ name: 'input', type: 'float', shape: ['N', 3] });
  const w = g.floats('w', [3, 2], [1, -2, 3.5, 4, 5, -6e-8]);
  const d = g.doubles('d', [2], [0.1, -1e300]);
  const shape = g.int64s('shape', [2], [-1, 2]);
  const y = g.node('MatMul', [x, w]);
  const z = g.node('Reshape', [y, shape], {
    attributes: {
      alpha: { float: 0.25 },
      axis: { int: -3 },
      mode: { string: 'constant' },
      scales: { floats: [1.5, -2] },
      perm: { ints: [1, 0, -9007199254740991] },
      names: { strings: ['a', 'β'] },
      values_as_tensor: { doubles: [1e-300, 2] },
    },
  });
  g.node('Add', [z, d], { output: 'output' });
  g.output({ name: 'output', type: 'float', shape: ['N', 2] });
  return g.encode('roundtrip', { 'hepml.inputs': '[]' });
}

describe('decodeOnnxModel on our exporter', () => {
  it('reads back what the encoder wrote', () => {
    const m = decodeOnnxModel(exported());
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('hepml-edge');
    expect([...m.opsets]).toEqual([
      ['', 13],
      ['ai.onnx.ml', 3],
    ]);
    expect(m.metadata?.get('hepml.inputs')).toBe('[]');
    expect(m.graph.name).toBe('roundtrip');
    expect(m.graph.inputs).toEqual([{ name: 'input', type: 'float', shape: ['N', 3] }]);
    expect(m.graph.outputs).toEqual([{ name: 'output', type: 'float', shape: ['N', 2] }]);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['MatMul', 'Reshape', 'Add']);
    expect(m.graph.nodes[2]?.outputs).toEqual(['output']);
    const w = m.graph.initializers.get('w');
    expect(w?.type).toBe('float');
    expect(w?.dims).toEqual([3, 2]);
    expect(w?.data).toEqual(Float32Array.from([1, -2, 3.5, 4, 5, -6e-8]));
    expect(m.graph.initializers.get('d')?.data).toEqual(Float64Array.from([0.1, -1e300]));
    expect(m.graph.initializers.get('shape')?.data).toEqual(BigInt64Array.from([-1n, 2n]));
    const a = m.graph.nodes[1]?.attributes;
    expect(a?.get('alpha')).toEqual({ kind: 'float', value: 0.25 });
    expect(a?.get('axis')).toEqual({ kind: 'int', value: -3 });
    expect(a?.get('mode')).toEqual({ kind: 'string', value: 'constant' });
    expect(a?.get('scales')).toEqual({ kind: 'floats', value: [1.5, -2] });
    expect(a?.get('perm')).toEqual({ kind: 'ints', value: [1, 0, -9007199254740991] });
    expect(a?.get('names')).toEqual({ kind: 'strings', value: ['a', 'β'] });
    const t = a?.get('values_as_tensor');
    expect(t?.kind).toBe('tensor');
    if (t?.kind === 'tensor') {
      expect(t.value.type).toBe('double');
      expect(t.value.data).toEqual(Float64Array.from([1e-300, 2]));
    }
  });

  it('names the field of truncated bytes, at every cut', () => {
    const bytes = exported();
    let errors = 0;
    for (let n = 1; n < bytes.byteLength; n += 7) {
      try {
        decodeOnnxModel(bytes.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxImportError);
        expect((e as OnnxImportError).field).toBeTruthy();
        errors++;
      }
    }
    // A cut exactly between two top-level fields decodes (protobuf cannot tell), all others must fail.
    expect(errors).toBeGreaterThan(Math.floor(bytes.byteLength / 7) - 5);
    expect(() => decodeOnnxModel(bytes.subarray(0, bytes.byteLength - 40))).toThrow(/truncated|missing/);
  });

  it('refuses bytes that are not ONNX with a clear message', () => {
    expect(() => decodeOnnxModel(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(OnnxImportError);
    expect(() => decodeOnnxModel(new Uint8Array())).toThrow(/ModelProto|graph missing/);
    expect(() => decodeOnnxModel(Uint8Array.from([0x08, 0xff, 0xff]))).toThrow(/ModelProto: truncated: ir_version/);
  });
});

describe('decodeOnnxTensor', () => {
  it('reads typed fields packed and unpacked', () => {
    const packedFloats = new ProtoWriter().int(1, 2).int(1, 2).int(2, 1).string(8, 'p');
    const f = new Uint8Array(16);
    new DataView(f.buffer).setFloat32(0, 1.5, true);
    new DataView(f.buffer).setFloat32(4, -2, true);
    new DataView(f.buffer).setFloat32(8, 3, true);
    new DataView(f.buffer).setFloat32(12, 0.125, true);
    packedFloats.bytes(4, f);
    const p = decodeOnnxTensor(packedFloats.finish());
    expect(p).toEqual({ name: 'p', type: 'float', dims: [2, 2], data: Float32Array.from([1.5, -2, 3, 0.125]) });

    // float_data unpacked (one fixed32 per element, as some writers emit).
    const unpacked = new ProtoWriter().int(1, 2).int(2, 1).float(4, 7).float(4, -0.5).finish();
    expect(decodeOnnxTensor(unpacked).data).toEqual(Float32Array.from([7, -0.5]));

    // int64_data unpacked, then a packed run of varints (3, 300, −1 as its 10-byte two's complement).
    const i64 = new ProtoWriter()
      .int(1, 5)
      .int(2, 7)
      .int(7, -5)
      .int(7, 2 ** 40);
    i64.bytes(7, Uint8Array.from([0x03, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(decodeOnnxTensor(i64.finish()).data).toEqual(BigInt64Array.from([-5n, 2n ** 40n, 3n, 300n, -1n]));

    // int32_data for bool and int8; double_data; string_data.
    expect(decodeOnnxTensor(new ProtoWriter().int(1, 3).int(2, 9).int(5, 1).int(5, 0).int(5, 1).finish()).data).toEqual(
      Int32Array.from([1, 0, 1]),
    );
    expect(decodeOnnxTensor(new ProtoWriter().int(1, 1).int(2, 3).int(5, -7).finish()).data).toEqual(
      Int32Array.from([-7]),
    );
    const d = new Uint8Array(8);
    new DataView(d.buffer).setFloat64(0, Math.PI, true);
    expect(decodeOnnxTensor(new ProtoWriter().int(2, 11).bytes(10, d).finish())).toMatchObject({
      dims: [],
      data: Float64Array.from([Math.PI]),
    });
    expect(
      decodeOnnxTensor(new ProtoWriter().int(1, 2).int(2, 8).string(6, 'a').string(6, 'bc').finish()).data,
    ).toEqual(['a', 'bc']);
  });

  it('reads raw_data little-endian for every element type, from an unaligned offset', () => {
    const raw = Uint8Array.from([0xff, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]);
    // int64: bytes 0..7 = 0x1feff → little-endian.
    const t = decodeOnnxTensor(new ProtoWriter().int(1, 1).int(2, 7).bytes(9, raw.subarray(0, 8)).finish());
    expect(t.data).toEqual(BigInt64Array.from([0x1feffn]));
    expect(decodeOnnxTensor(new ProtoWriter().int(1, 2).int(2, 2).bytes(9, raw.subarray(0, 2)).finish()).data).toEqual(
      Int32Array.from([255, 254]),
    );
    expect(decodeOnnxTensor(new ProtoWriter().int(1, 2).int(2, 3).bytes(9, raw.subarray(0, 2)).finish()).data).toEqual(
      Int32Array.from([-1, -2]),
    );
  });

  it('refuses counts that disagree with dims, unsupported types and external data, naming the field', () => {
    const short = new ProtoWriter().int(1, 3).int(2, 1).string(8, 'w').bytes(9, new Uint8Array(8)).finish();
    expect(() => decodeOnnxTensor(short)).toThrow('TensorProto["w"].raw_data: has 2 elements, dims say 3');
    const half = new ProtoWriter().int(1, 1).int(2, 10).string(8, 'h').bytes(9, new Uint8Array(2)).finish();
    expect(() => decodeOnnxTensor(half)).toThrow(/data_type FLOAT16 is not supported/);
    const external = new ProtoWriter().int(1, 1).int(2, 1).string(8, 'e').int(14, 1).finish();
    expect(() => decodeOnnxTensor(external)).toThrow(/external data/);
    try {
      decodeOnnxTensor(half);
    } catch (e) {
      expect((e as OnnxImportError).field).toBe('TensorProto["h"].data_type');
    }
  });
});

describe('decodeOnnxModel on PyTorch exports', () => {
  const cases = existsSync(CASES) ? readdirSync(CASES).sort() : [];

  it('finds the 26 shared cases', () => {
    expect(cases).toHaveLength(26);
  });

  it('decodes every model and its reference tensors', () => {
    for (const c of cases) {
      const m = decodeOnnxModel(readFileSync(`${CASES}${c}/model.onnx`));
      expect(m.producerName, c).toBe('pytorch');
      expect(m.graph.nodes.length, c).toBeGreaterThan(0);
      for (const input of m.graph.inputs)
        expect(
          input.shape.every((d) => typeof d === 'number'),
          c,
        ).toBe(true);
      const dir = `${CASES}${c}/test_data_set_0/`;
      m.graph.inputs.forEach((input, i) => {
        const t = decodeOnnxTensor(readFileSync(`${dir}input_${i}.pb`));
        expect(t.dims, `${c} input ${i}`).toEqual(input.shape);
        expect(t.type, `${c} input ${i}`).toBe(input.type);
      });
    }
  });

  it('encodes back to bytes that decode to the same model (encodeOnnxModel)', () => {
    for (const c of cases) {
      const m = decodeOnnxModel(readFileSync(`${CASES}${c}/model.onnx`));
      expect(decodeOnnxModel(encodeOnnxModel(m)), c).toEqual(m);
    }
    const ours = decodeOnnxModel(exported());
    expect(decodeOnnxModel(encodeOnnxModel(ours))).toEqual(ours);
  });

  it('reads a Conv2d export exactly: attributes, weights and shapes', () => {
    const m = decodeOnnxModel(readFileSync(`${CASES}test_Conv2d_padding/model.onnx`));
    expect(m.irVersion).toBe(3);
    expect(m.opsets.get('')).toBe(6);
    const conv = m.graph.nodes[0];
    expect(conv?.opType).toBe('Conv');
    expect(conv?.attributes.get('pads')).toEqual({ kind: 'ints', value: [1, 1, 1, 1] });
    expect(conv?.attributes.get('strides')).toEqual({ kind: 'ints', value: [2, 2] });
    expect(m.graph.initializers.get('1')?.dims).toEqual([4, 3, 3, 3]);
    // PyTorch 0.3 listed the weights among the graph inputs too; only the fed input remains.
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['0']);
    const out = decodeOnnxTensor(readFileSync(`${CASES}test_Conv2d_padding/test_data_set_0/output_0.pb`));
    expect(out.dims).toEqual([2, 4, 3, 3]);
    expect((out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });
});
