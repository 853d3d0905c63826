import * as tf from '@tensorflow/tfjs';

type Info = { dataId: object; shape: number[]; dtype: string };

/** The parts of the wasm backend a kernel needs: allocate an output, view heap data, free. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): Info;
  typedArrayFromHeap(info: Info): Float32Array;
  disposeData(dataId: object): boolean;
}

/** Output size and padding before, along one axis (TensorFlow conventions, dilation 1). */
function geometry(
  size: number,
  kernel: number,
  stride: number,
  pad: 'same' | 'valid',
): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.floor((size - kernel) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) };
}

/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks, registered once per process:
 *
 * `Conv2DBackpropFilter` (dL/dW of a 2-D convolution, needed to train any CNN), as im2col and one
 * matrix product: the transposed patches Pᵀ[(u·kw + v)·C + c, m] = x[n, i·sh + u − pt, j·sw + v − pl, c]
 * (zero outside the image; m = (n·H' + i)·W' + j) are written into wasm memory, then the backend's
 * own XNNPACK `BatchMatMul` gives dW = Pᵀ·dy [kh·kw·C × F], which is the filter gradient
 * dW[u,v,c,f] = Σ_{n,i,j} x[…]·dy[n,i,j,f] in the [kh, kw, C, F] layout. Measured at batch 1024 on
 * a 7×11×4 → 8 conv: about 6 ms against 60 ms for tfjs's Conv3DBackpropFilterV2 on a depth-1 view
 * (whose strided gradients are also wrong in 4.22 when dy is not uniform).
 *
 * Supported: NHWC, dilation 1, any strides, string padding `same`/`valid` (what tf.layers.conv2d
 * emits). Anything else throws naming the attribute; the training code then falls back to the cpu
 * backend for that model. Returns the names of the kernels registered by this call.
 */
export function registerWasmGradientKernels(): string[] {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return [];
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!matMul) throw new Error('wasm backend has no BatchMatMul kernel to build Conv2DBackpropFilter on');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: Info; dy: Info };
      const a = attrs as unknown as {
        strides: number | [number, number];
        pad: unknown;
        dataFormat?: string;
        dilations?: number | [number, number];
        filterShape: [number, number, number, number];
      };
      if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter (wasm): dataFormat ${a.dataFormat} unsupported, only NHWC`);
      }
      if (a.pad !== 'same' && a.pad !== 'valid') {
        throw new Error(`Conv2DBackpropFilter (wasm): pad ${JSON.stringify(a.pad)} unsupported, only "same"/"valid"`);
      }
      if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter (wasm): float32 only');
      const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const [kh, kw, kc, f] = a.filterShape;
      if (kc !== c) throw new Error(`Conv2DBackpropFilter (wasm): filter has ${kc} input channels, x has ${c}`);
      const gh = geometry(h, kh, sh, a.pad);
      const gw = geometry(w, kw, sw, a.pad);
      const [, oh, ow, df] = dy.shape as [number, number, number, number];
      if (oh !== gh.out || ow !== gw.out || df !== f) {
        throw new Error(`Conv2DBackpropFilter (wasm): dy shape ${dy.shape} does not fit the convolution`);
      }
      const b = backend as unknown as WasmBackendLike;
      const m = n * oh * ow;
      const k = kh * kw * c;
      // Pᵀ [k × m] rather than P: XNNPACK's matmul is about 16× slower with transposeA (measured).
      const patches = b.makeOutput([1, k, m], 'float32');
      // Views on the heap only after every allocation: growing wasm memory detaches them.
      const xs = b.typedArrayFromHeap(x);
      const ps = b.typedArrayFromHeap(patches);
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          for (let q = 0; q < c; q++) {
            let at = ((u * kw + v) * c + q) * m;
            for (let s = 0; s < n; s++) {
              for (let i = 0; i < oh; i++) {
                const y = i * sh + u - gh.before;
                if (y < 0 || y >= h) {
                  ps.fill(0, at, at + ow);
                  at += ow;
                  continue;
                }
                const rowBase = (s * h + y) * w;
                for (let j = 0; j < ow; j++) {
                  const xx = j * sw + v - gw.before;
                  ps[at++] = xx < 0 || xx >= w ? 0 : (xs[(rowBase + xx) * c + q] as number);
                }
              }
            }
          }
        }
      }
      const product = matMul.kernelFunc({
        inputs: {
          a: patches,
          b: { dataId: dy.dataId, shape: [1, m, f], dtype: 'float32' },
        } as unknown as tf.NamedTensorInfoMap,
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as Info;
      b.disposeData(patches.dataId);
      return { dataId: product.dataId, shape: [kh, kw, c, f], dtype: 'float32' } as unknown as tf.TensorInfo;
    },
  });
  return ['Conv2DBackpropFilter', ...replaceConv2DBackpropInput()];
}

/**
 * Replaces the wasm backend's `Conv2DBackpropInput` (a plain loop, about 7× slower than its XNNPACK
 * forward convolution at batch 1024) for stride 1: the input gradient of a stride-1 convolution is
 * a forward correlation of dy with the filter flipped in space and its channels swapped,
 *   dx[y, x, c] = Σ_{u,v,f} dy_pad[y + u, x + v, f] · W[kh−1−u, kw−1−v, c, f],
 * with dy padded by kh−1−pt above, kh−1−pb below (and likewise in width), pt/pb the forward
 * padding. Strided or dilated cases go to the original kernel. Returns the name when replaced.
 */
function replaceConv2DBackpropInput(): string[] {
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const conv = tf.getKernel('Conv2D', 'wasm');
  if (!original || !conv) return [];
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { dy, filter } = args.inputs as unknown as { dy: Info; filter: Info };
      const a = args.attrs as unknown as {
        strides: number | [number, number];
        pad: unknown;
        dataFormat?: string;
        inputShape: [number, number, number, number];
      };
      const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      if (sh !== 1 || sw !== 1 || (a.pad !== 'same' && a.pad !== 'valid') || (a.dataFormat ?? 'NHWC') !== 'NHWC') {
        return original.kernelFunc(args);
      }
      const [, h, w] = a.inputShape;
      const [kh, kw, kc, f] = filter.shape as [number, number, number, number];
      const gh = geometry(h, kh, 1, a.pad);
      const gw = geometry(w, kw, 1, a.pad);
      const padH = gh.out - 1 + kh - h;
      const padW = gw.out - 1 + kw - w;
      const b = args.backend as unknown as WasmBackendLike;
      const flipped = b.makeOutput([kh, kw, f, kc], 'float32');
      const src = b.typedArrayFromHeap(filter);
      const dst = b.typedArrayFromHeap(flipped);
      for (let u = 0; u < kh; u++) {
        for (let v = 0; v < kw; v++) {
          const from = ((kh - 1 - u) * kw + (kw - 1 - v)) * kc * f;
          const to = (u * kw + v) * f * kc;
          for (let q = 0; q < kc; q++)
            for (let r = 0; r < f; r++) dst[to + r * kc + q] = src[from + q * f + r] as number;
        }
      }
      const pads = [
        [0, 0],
        [kh - 1 - gh.before, kh - 1 - (padH - gh.before)],
        [kw - 1 - gw.before, kw - 1 - (padW - gw.before)],
        [0, 0],
      ];
      const dx = conv.kernelFunc({
        inputs: { x: dy, filter: flipped } as unknown as tf.NamedTensorInfoMap,
        backend: args.backend,
        attrs: { strides: [1, 1], pad: pads, dataFormat: 'NHWC', dilations: [1, 1] },
      }) as Info;
      b.disposeData(flipped.dataId);
      return dx as unknown as tf.TensorInfo;
    },
  });
  return ['Conv2DBackpropInput (stride 1, XNNPACK)'];
}

/**
 * Kernels a tfjs backend needs to train a network made of the given forward kernels, that it does
 * not have: used to decide per model whether to fall back to the cpu backend.
 */
export function missingGradientKernels(backendName: string, kernels: readonly string[]): string[] {
  return kernels.filter((k) => !tf.getKernel(k, backendName));
}
