import type { DenseChain } from './dense-chain.ts';
import { ProtoWriter } from './protobuf.ts';

/** ONNX TensorProto.DataType.FLOAT. */
const FLOAT = 1;
/** ONNX AttributeProto.AttributeType values used here. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
/** IR version 8 with opset 13: read by ONNX Runtime ≥ 1.10, the versions CMSSW and Athena ship. */
const IR_VERSION = 8;
const OPSET = 13;

const ACTIVATION_OP = {
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  softmax: 'Softmax',
  linear: 'Identity',
} as const;

interface NodeSpec {
  op: string;
  inputs: string[];
  output: string;
  attributes?: { name: string; float?: number; int?: number }[];
}

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Graph name (the model's name). */
  name: string;
  /** Free-form metadata written into `metadata_props` (e.g. the bundle's sha256 and version). */
  metadata?: Record<string, string>;
}

/**
 * Writes a dense network as an ONNX model (protobuf bytes) that ONNX Runtime evaluates exactly as
 * the hepml runtime does: input `input` of shape [N, F] (raw values, features in manifest order),
 * standardisation (x − offset) / scale as Sub and Div nodes, then per layer MatMul, Add and the
 * activation (Relu, Sigmoid, Tanh, Elu with α = 1, Softmax over the last axis), output `output` of
 * shape [N, units of the last layer]. The input names, units, offsets and scales are also in
 * `metadata_props` under `hepml.inputs` (JSON), so C++ code can feed inputs by name.
 * Reference: ONNX IR, https://onnx.ai/onnx/repo-docs/IR.html and onnx/onnx.proto (field numbers).
 */
export function exportOnnx(chain: DenseChain, options: OnnxExportOptions): Uint8Array {
  const nIn = chain.inputs.length;
  const initializers: { name: string; dims: number[]; data: Float32Array }[] = [
    { name: 'input_offset', dims: [nIn], data: Float32Array.from(chain.inputs, (i) => i.offset) },
    { name: 'input_scale', dims: [nIn], data: Float32Array.from(chain.inputs, (i) => i.scale) },
  ];
  const nodes: NodeSpec[] = [
    { op: 'Sub', inputs: ['input', 'input_offset'], output: 'centred' },
    { op: 'Div', inputs: ['centred', 'input_scale'], output: 'standardised' },
  ];
  let current = 'standardised';
  let fanIn = nIn;
  chain.layers.forEach((layer, l) => {
    const last = l === chain.layers.length - 1;
    initializers.push({ name: `dense_${l}_kernel`, dims: [fanIn, layer.units], data: layer.kernel });
    initializers.push({ name: `dense_${l}_bias`, dims: [layer.units], data: layer.bias });
    nodes.push({ op: 'MatMul', inputs: [current, `dense_${l}_kernel`], output: `dense_${l}_matmul` });
    nodes.push({ op: 'Add', inputs: [`dense_${l}_matmul`, `dense_${l}_bias`], output: `dense_${l}_linear` });
    const output = last ? 'output' : `dense_${l}_out`;
    const attributes =
      layer.activation === 'elu'
        ? [{ name: 'alpha', float: 1 }]
        : layer.activation === 'softmax'
          ? [{ name: 'axis', int: -1 }]
          : [];
    nodes.push({ op: ACTIVATION_OP[layer.activation], inputs: [`dense_${l}_linear`], output, attributes });
    current = output;
    fanIn = layer.units;
  });

  const valueInfo = (w: ProtoWriter, name: string, width: number) => {
    w.string(1, name);
    w.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, FLOAT);
        tensor.message(2, (shape) => {
          shape.message(1, (dim) => dim.string(2, 'N'));
          shape.message(1, (dim) => dim.int(1, width));
        });
      }),
    );
  };

  const metadata = {
    'hepml.inputs': JSON.stringify(chain.inputs),
    'hepml.outputs': JSON.stringify(chain.outputs),
    ...options.metadata,
  };
  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'hepml-edge');
  model.message(7, (graph) => {
    for (const [i, n] of nodes.entries()) {
      graph.message(1, (node) => {
        for (const input of n.inputs) node.string(1, input);
        node.string(2, n.output);
        node.string(3, `${n.op.toLowerCase()}_${i}`);
        node.string(4, n.op);
        for (const a of n.attributes ?? []) {
          node.message(5, (attr) => {
            attr.string(1, a.name);
            if (a.float !== undefined) attr.float(2, a.float).int(20, ATTR_FLOAT);
            if (a.int !== undefined) attr.int(3, a.int).int(20, ATTR_INT);
          });
        }
      });
    }
    graph.string(2, options.name);
    for (const init of initializers) {
      graph.message(5, (t) => {
        for (const d of init.dims) t.int(1, d);
        t.int(2, FLOAT);
        t.string(8, init.name);
        // raw_data is little-endian, which typed arrays are on every platform this runs on.
        t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
      });
    }
    graph.message(11, (w) => valueInfo(w, 'input', nIn));
    graph.message(12, (w) => valueInfo(w, 'output', chain.layers.at(-1)?.units ?? nIn));
  });
  model.message(8, (opset) => opset.string(1, '').int(2, OPSET));
  for (const [key, value] of Object.entries(metadata)) model.message(14, (kv) => kv.string(1, key).string(2, value));
  return model.finish();
}
