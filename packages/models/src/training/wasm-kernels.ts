import * as tf from '@tensorflow/tfjs';

type Info = { dataId: object; shape: number[]; dtype: string };

/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks, registered once per process:
 *
 * - `Conv2DBackpropFilter` (dL/dW of a 2-D convolution, needed to train any CNN). Implemented by
 *   the backend's own `Conv3DBackpropFilterV2` kernel on a depth-1 view: x [N,H,W,C] is
 *   [N,1,H,W,C], dy [N,H',W',F] is [N,1,H',W',F], filter [kh,kw,C,F] is [1,kh,kw,C,F]; with
 *   depth 1 and stride 1 in depth the 3-D sum reduces exactly to the 2-D one
 *   dW[u,v,c,f] = Σ_{n,i,j} x[n, i·sh + u − pt, j·sw + v − pl, c]·dy[n,i,j,f]. The views share the
 *   tensors' data (a reshape in wasm is metadata only), so no copy is made.
 *
 * Supported: NHWC, dilation 1, stride 1, string padding `same`/`valid` (what tf.layers.conv2d
 * emits for the calorimeter CNN). Strides > 1 are refused: the wasm Conv3DBackpropFilterV2 kernel
 * of tfjs 4.22 gives wrong filter gradients for strided convolutions when dy is not uniform
 * (measured against the cpu backend in wasm-kernels.test.ts). Anything unsupported throws naming
 * the attribute, and the training code falls back to the cpu backend for that model.
 * Returns the names of the kernels registered by this call.
 */
export function registerWasmGradientKernels(): string[] {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return [];
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (!conv3d) throw new Error('wasm backend has no Conv3DBackpropFilterV2 kernel to build Conv2DBackpropFilter on');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: Info; dy: Info };
      const a = attrs as unknown as {
        strides: number | [number, number];
        pad: unknown;
        dataFormat?: string;
        dimRoundingMode?: string;
        filterShape: [number, number, number, number];
      };
      if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter (wasm): dataFormat ${a.dataFormat} unsupported, only NHWC`);
      }
      if (a.pad !== 'same' && a.pad !== 'valid') {
        throw new Error(`Conv2DBackpropFilter (wasm): pad ${JSON.stringify(a.pad)} unsupported, only "same"/"valid"`);
      }
      const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      if (sh !== 1 || sw !== 1)
        throw new Error(`Conv2DBackpropFilter (wasm): strides ${sh},${sw} unsupported, only 1,1`);
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const [, oh, ow, f] = dy.shape as [number, number, number, number];
      const [kh, kw, kc, kf] = a.filterShape;
      const out = conv3d.kernelFunc({
        inputs: {
          x: { dataId: x.dataId, shape: [n, 1, h, w, c], dtype: x.dtype },
          dy: { dataId: dy.dataId, shape: [n, 1, oh, ow, f], dtype: dy.dtype },
        } as unknown as tf.NamedTensorInfoMap,
        backend,
        attrs: { strides: [1, sh, sw], pad: a.pad, filterShape: [1, kh, kw, kc, kf] },
      }) as Info;
      return { dataId: out.dataId, shape: [kh, kw, kc, kf], dtype: out.dtype } as unknown as tf.TensorInfo;
    },
  });
  return ['Conv2DBackpropFilter'];
}

/**
 * Kernels a tfjs backend needs to train a network made of the given forward kernels, that it does
 * not have: used to decide per model whether to fall back to the cpu backend.
 */
export function missingGradientKernels(backendName: string, kernels: readonly string[]): string[] {
  return kernels.filter((k) => !tf.getKernel(k, backendName));
}
