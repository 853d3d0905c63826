import { at } from '@hepml/physics';
import { type CnnFilmArchitectureV1, planCnnTrunk, windowGeometry } from '../bundle/cnn-film.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import type { DenseChain } from './dense-chain.ts';
import { OnnxGraph } from './onnx-graph.ts';
import { activationNode, denseNodes, ONNX_NAMES, ONNX_OPSET, standardiseNodes } from './onnx-nodes.ts';

/** Reads consecutive arrays off the weights file in the documented order. */
class WeightCursor {
  at = 0;
  constructor(private readonly weights: Float32Array) {}
  take(count: number): Float32Array {
    if (this.at + count > this.weights.length) {
      throw new BundleError(`weights: ${this.weights.length} values, the layers need more`, { field: 'weights' });
    }
    const out = this.weights.slice(this.at, this.at + count);
    this.at += count;
    return out;
  }
  dense(fanIn: number, layers: CnnFilmArchitectureV1['head']): DenseChain['layers'] {
    let width = fanIn;
    return layers.map((d) => {
      const kernel = this.take(width * d.units);
      const bias = this.take(d.units);
      width = d.units;
      return { units: d.units, activation: d.activation, kernel, bias };
    });
  }
}

/** ONNX `pads` [top, left, bottom, right] of a Keras window op: the padding before is floor(total/2). */
function pads(h: number, w: number, k: [number, number], s: [number, number], padding: 'same' | 'valid'): number[] {
  const gh = windowGeometry(h, k[0], s[0], padding);
  const gw = windowGeometry(w, k[1], s[1], padding);
  const totalH = padding === 'same' ? Math.max((gh.out - 1) * s[0] + k[0] - h, 0) : 0;
  const totalW = padding === 'same' ? Math.max((gw.out - 1) * s[1] + k[1] - w, 0) : 0;
  return [gh.padBefore, gw.padBefore, totalH - gh.padBefore, totalW - gw.padBefore];
}

/**
 * The ONNX graph of a `cnn-film` network (schema and weight order: `CnnFilmArchitectureV1` in
 * bundle/cnn-film.ts), evaluating what `createRunner` evaluates:
 * - inputs `input` [N, F] raw scalars (manifest order) and `image` [N, H, W, C] in GeV, channels
 *   last exactly as the runtime takes it; inside, the image is divided by `imageScale` and
 *   transposed to NCHW (ONNX Conv/Pool layout), the scalars standardised (x − offset)/scale;
 * - `conv2d` → Conv (kernel [kh, kw, cin, filters] transposed to [filters, cin, kh, kw]; Keras
 *   `same` padding as explicit pads, floor(total/2) before); `batch-norm` → BatchNormalization
 *   (inference form, ε as given); `max-pool` → MaxPool; `avg-pool` → AveragePool with
 *   count_include_pad = 0 (the mean over the cells inside the map, as Keras);
 * - `film` → MatMul/Add chains on the standardised scalars for γ and β [N, C], Unsqueeze to
 *   [N, C, 1, 1], then Mul and Add broadcasting over H × W;
 * - `global-avg-pool` → GlobalAveragePool + Flatten; `flatten` → Transpose back to NHWC then
 *   Flatten, so the vector is in the runtime's (H, W, C) order;
 * - `concatScalars` → Concat with the standardised scalars; the head as MatMul/Add/activation;
 *   `outputScale` → Gather of that raw input column, Mul on every output.
 * Output `output` [N, outputs].
 */
export function cnnFilmOnnxGraph(manifest: BundleManifestV1, weights: Float32Array): OnnxGraph {
  const arch = manifest.architecture;
  if (arch.kind !== 'cnn-film') {
    throw new BundleError(`architecture.kind "${arch.kind}" is not cnn-film`, { field: 'architecture.kind' });
  }
  const image = manifest.image;
  if (!image) throw new BundleError('image: required by cnn-film', { field: 'image' });
  const [H, W, C] = image.shape;
  const { plans, features } = planCnnTrunk(image.shape, arch.inputSize, arch.layers);
  const cursor = new WeightCursor(weights);
  const g = new OnnxGraph(ONNX_OPSET);
  const raw = g.input({ name: ONNX_NAMES.input, type: 'float', shape: ['N', arch.inputSize] });
  const img = g.input({ name: ONNX_NAMES.image, type: 'float', shape: ['N', H, W, C] });
  const scalars = standardiseNodes(g, raw, manifest.inputs);
  const imageScale = g.floats('image_scale', [], [arch.imageScale]);
  let x = g.node('Transpose', [g.node('Div', [img, imageScale])], { attributes: { perm: { ints: [0, 3, 1, 2] } } });

  for (const [i, plan] of plans.entries()) {
    const { layer, input } = plan;
    const [h = 1, w = 1, c = 1] = input;
    switch (layer.type) {
      case 'conv2d': {
        const [kh, kw] = layer.kernelSize;
        const k = cursor.take(kh * kw * c * layer.filters);
        // [kh][kw][cin][filters] → [filters][cin][kh][kw]
        const onnxKernel = new Float32Array(k.length);
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++)
            for (let ch = 0; ch < c; ch++)
              for (let o = 0; o < layer.filters; o++) {
                onnxKernel[((o * c + ch) * kh + u) * kw + v] = at(k, ((u * kw + v) * c + ch) * layer.filters + o);
              }
        const inputs = [x, g.floats(`conv_${i}_kernel`, [layer.filters, c, kh, kw], onnxKernel)];
        if (layer.useBias) inputs.push(g.floats(`conv_${i}_bias`, [layer.filters], cursor.take(layer.filters)));
        x = g.node('Conv', inputs, {
          attributes: {
            kernel_shape: { ints: [kh, kw] },
            strides: { ints: layer.strides },
            pads: { ints: pads(h, w, layer.kernelSize, layer.strides, layer.padding) },
            dilations: { ints: [1, 1] },
            group: { int: 1 },
          },
        });
        x = activationNode(g, x, layer.activation);
        break;
      }
      case 'batch-norm': {
        const names = ['gamma', 'beta', 'mean', 'variance'].map((p) => g.floats(`bn_${i}_${p}`, [c], cursor.take(c)));
        x = g.node('BatchNormalization', [x, ...names], { attributes: { epsilon: { float: layer.epsilon } } });
        break;
      }
      case 'activation':
        x = activationNode(g, x, layer.activation);
        break;
      case 'max-pool':
      case 'avg-pool': {
        const attributes = {
          kernel_shape: { ints: layer.poolSize },
          strides: { ints: layer.strides },
          pads: { ints: pads(h, w, layer.poolSize, layer.strides, layer.padding) },
          ...(layer.type === 'avg-pool' ? { count_include_pad: { int: 0 } } : {}),
        };
        x = g.node(layer.type === 'max-pool' ? 'MaxPool' : 'AveragePool', [x], { attributes });
        break;
      }
      case 'film': {
        const hidden = cursor.dense(arch.inputSize, layer.hidden);
        const width = layer.hidden.at(-1)?.units ?? arch.inputSize;
        const h0 = hidden.length ? denseNodes(g, scalars, arch.inputSize, hidden, `film_${i}_hidden`) : scalars;
        const axes = g.int64s(`film_${i}_axes`, [2], [2, 3]);
        const [gamma, beta] = ['gamma', 'beta'].map((p) => {
          const [head] = cursor.dense(width, [{ type: 'dense', units: c, activation: 'linear' }]);
          const v = denseNodes(g, h0, width, head ? [head] : [], `film_${i}_${p}`);
          return g.node('Unsqueeze', [v, axes]);
        }) as [string, string];
        x = g.node('Add', [g.node('Mul', [x, gamma]), beta]);
        break;
      }
      case 'global-avg-pool':
        x = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { attributes: { axis: { int: 1 } } });
        break;
      case 'flatten': {
        const nhwc = g.node('Transpose', [x], { attributes: { perm: { ints: [0, 2, 3, 1] } } });
        x = g.node('Flatten', [nhwc], { attributes: { axis: { int: 1 } } });
        break;
      }
    }
  }
  let fanIn = features;
  if (arch.concatScalars) {
    x = g.node('Concat', [x, scalars], { attributes: { axis: { int: 1 } } });
    fanIn += arch.inputSize;
  }
  const head = cursor.dense(fanIn, arch.head);
  if (cursor.at !== weights.length) {
    throw new BundleError(`weights: ${weights.length} values, the layers use ${cursor.at}`, { field: 'weights' });
  }
  const scaleIndex =
    arch.outputScale === undefined ? -1 : manifest.inputs.findIndex((i) => i.name === arch.outputScale);
  if (scaleIndex < 0) {
    denseNodes(g, x, fanIn, head, 'head', ONNX_NAMES.output);
  } else {
    const y = denseNodes(g, x, fanIn, head, 'head');
    const index = g.int64s('output_scale_index', [1], [scaleIndex]);
    const factor = g.node('Gather', [raw, index], { attributes: { axis: { int: 1 } } });
    g.node('Mul', [y, factor], { output: ONNX_NAMES.output });
  }
  g.output({ name: ONNX_NAMES.output, type: 'float', shape: ['N', manifest.outputs.length] });
  return g;
}
