/**
 * The operators of the ONNX graph interpreter (default domain `ai.onnx`), each with the attributes
 * it reads. Semantics from the operator specifications (https://onnx.ai/onnx/operators/), per
 * opset where they changed: Softmax/LogSoftmax coerce to 2-D before opset 13 and act on one axis
 * from 13; Add/Sub/Mul/Div take `broadcast`/`axis` before opset 7 and broadcast numpy-style from 7;
 * Clip, Reshape, Unsqueeze and Squeeze take attributes in early opsets and inputs later.
 * Accumulations run in float64 and round once to the tensor's type.
 */
import type { OnnxAttributeValue, OnnxNode, OnnxTensor } from '../../import/onnx/model.ts';
import {
  broadcastIndex,
  broadcastShape,
  fromOnnxTensor,
  isInteger,
  sizeOf,
  stridesOf,
  type Tensor,
  zeros,
} from './tensor.ts';

/** What an operator knows of its node: the node, the default domain's opset, and how to fail. */
export interface OpContext {
  readonly node: OnnxNode;
  readonly opset: number;
  /** An error naming the node (bad input shapes, inconsistent attributes). */
  fail(message: string): never;
  /** An error naming the node for what the interpreter does not implement. */
  unsupported(message: string): never;
}

/** An operator: the attributes it reads (any other is refused) and its evaluation. */
export interface OpSpec {
  readonly attributes: readonly string[];
  run(ctx: OpContext, inputs: readonly (Tensor | undefined)[]): Tensor[];
}

// ---------------------------------------------------------------- attributes

function attribute(ctx: OpContext, name: string): OnnxAttributeValue | undefined {
  return ctx.node.attributes.get(name);
}

function intAttr(ctx: OpContext, name: string, fallback: number): number {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind !== 'int') ctx.fail(`attribute "${name}" must be an int, is ${a.kind}`);
  return a.value;
}

function floatAttr(ctx: OpContext, name: string, fallback: number): number {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind === 'int') return a.value;
  if (a.kind !== 'float') ctx.fail(`attribute "${name}" must be a float, is ${a.kind}`);
  return a.value;
}

function intsAttr(ctx: OpContext, name: string): number[] | undefined {
  const a = attribute(ctx, name);
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') ctx.fail(`attribute "${name}" must be a list of ints, is ${a.kind}`);
  return a.value;
}

function stringAttr(ctx: OpContext, name: string, fallback: string): string {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind !== 'string') ctx.fail(`attribute "${name}" must be a string, is ${a.kind}`);
  return a.value;
}

// ---------------------------------------------------------------- helpers

function need(ctx: OpContext, inputs: readonly (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) ctx.fail(`input ${i} is missing`);
  return t;
}

function floating(ctx: OpContext, t: Tensor, what = 'input'): Tensor {
  if (isInteger(t.type)) ctx.unsupported(`${what} of type ${t.type} (only float and double)`);
  return t;
}

function like(t: Tensor, dims: number[] = t.dims): Tensor {
  return zeros(t.type, dims);
}

/** An axis in [−rank, rank) as [0, rank). */
function axisOf(ctx: OpContext, axis: number, rank: number, what = 'axis'): number {
  if (axis < -rank || axis >= rank) ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** The integer values of a shape-like input (int64/int32 tensor). */
function intValues(ctx: OpContext, t: Tensor, what: string): number[] {
  if (!isInteger(t.type)) ctx.fail(`${what} must be an integer tensor, is ${t.type}`);
  return Array.from(t.data);
}

function unary(f: (x: number) => number, attributes: readonly string[] = []): OpSpec {
  return {
    attributes: ['consumed_inputs', ...attributes],
    run(ctx, inputs) {
      const x = floating(ctx, need(ctx, inputs, 0));
      const y = like(x);
      const xd = x.data;
      const yd = y.data;
      for (let i = 0; i < xd.length; i++) yd[i] = f(xd[i] as number);
      return [y];
    },
  };
}

/** Unary with parameters read from the node's attributes at each call. */
function unaryWith(attributes: readonly string[], make: (ctx: OpContext) => (x: number) => number): OpSpec {
  return {
    attributes: ['consumed_inputs', ...attributes],
    run(ctx, inputs) {
      const x = floating(ctx, need(ctx, inputs, 0));
      const f = make(ctx);
      const y = like(x);
      for (let i = 0; i < x.data.length; i++) y.data[i] = f(x.data[i] as number);
      return [y];
    },
  };
}

/**
 * Element-wise `f(a, b)` with broadcasting; before opset 7 `broadcast = 1` aligns B's dimensions
 * with A's starting at `axis` (default: B's trailing dimensions) and without it the shapes must agree.
 */
function elementwise(ctx: OpContext, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  if (a.type !== b.type) ctx.fail(`inputs have types ${a.type} and ${b.type}`);
  let bDims = b.dims;
  if (ctx.opset < 7 && ctx.node.attributes.has('broadcast')) {
    if (intAttr(ctx, 'broadcast', 0) === 1) {
      const axis = intAttr(ctx, 'axis', a.dims.length - b.dims.length);
      const start = axis < 0 ? axis + a.dims.length : axis;
      if (start < 0 || start + b.dims.length > a.dims.length) ctx.fail(`axis ${axis} does not place B in A`);
      bDims = a.dims.map((_, i) => (i >= start && i < start + b.dims.length ? (b.dims[i - start] as number) : 1));
    }
  }
  const out = broadcastShape([a.dims, bDims], ctx.fail);
  const y = like(a, out);
  const ia = broadcastIndex(a.dims, out);
  const ib = broadcastIndex(bDims, out);
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  const n = yd.length;
  if (!ia && !ib) for (let i = 0; i < n; i++) yd[i] = f(ad[i] as number, bd[i] as number);
  else if (!ia && bd.length === 1) {
    const v = bd[0] as number;
    for (let i = 0; i < n; i++) yd[i] = f(ad[i] as number, v);
  } else if (!ia && trailing(bDims, out)) {
    // B repeats along the leading axes (a bias [N] on [M, N]): no index table.
    const m = bd.length;
    for (let i = 0; i < n; i++) yd[i] = f(ad[i] as number, bd[i % m] as number);
  } else
    for (let i = 0; i < n; i++)
      yd[i] = f(ad[ia ? (ia[i] as number) : i] as number, bd[ib ? (ib[i] as number) : i] as number);
  return y;
}

/** Whether `dims`, leading 1s aside, are the trailing dims of `out` (B tiles A's rows exactly). */
function trailing(dims: readonly number[], out: readonly number[]): boolean {
  let k = 0;
  while (k < dims.length && dims[k] === 1) k++;
  const rest = dims.slice(k);
  return rest.every((d, i) => d === out[out.length - rest.length + i]);
}

function binary(f: (x: number, y: number) => number, integer?: (x: number, y: number) => number): OpSpec {
  return {
    attributes: ['broadcast', 'axis', 'consumed_inputs'],
    run(ctx, inputs) {
      const a = need(ctx, inputs, 0);
      const g = integer && isInteger(a.type) ? integer : f;
      return [elementwise(ctx, a, need(ctx, inputs, 1), g)];
    },
  };
}

/** Variadic element-wise op (Max, Min, Sum) with broadcasting, folded left to right. */
function variadic(f: (x: number, y: number) => number): OpSpec {
  return {
    attributes: ['consumed_inputs'],
    run(ctx, inputs) {
      let acc = need(ctx, inputs, 0);
      for (let i = 1; i < inputs.length; i++) acc = elementwise(ctx, acc, need(ctx, inputs, i), f);
      return [inputs.length === 1 ? { ...acc, data: acc.data.slice() } : acc];
    },
  };
}

// ---------------------------------------------------------------- linear algebra

/**
 * c[M×N] (+)= alpha · op(a) · op(b) for row-major a, b, with op the transpose when asked; sums
 * in float64 per output row.
 */
function gemm(
  a: ArrayLike<number>,
  aOff: number,
  b: ArrayLike<number>,
  bOff: number,
  c: Float32Array | Float64Array,
  cOff: number,
  M: number,
  K: number,
  N: number,
  transA: boolean,
  transB: boolean,
  alpha: number,
): void {
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const av = a[aOff + (transA ? k * M + i : i * K + k)] as number;
      if (av === 0) continue;
      if (transB) for (let j = 0; j < N; j++) row[j] = (row[j] as number) + av * (b[bOff + j * K + k] as number);
      else {
        const bo = bOff + k * N;
        for (let j = 0; j < N; j++) row[j] = (row[j] as number) + av * (b[bo + j] as number);
      }
    }
    const co = cOff + i * N;
    for (let j = 0; j < N; j++) c[co + j] = (c[co + j] as number) + alpha * (row[j] as number);
  }
}

const Gemm: OpSpec = {
  attributes: ['alpha', 'beta', 'transA', 'transB', 'broadcast'],
  run(ctx, inputs) {
    const a = floating(ctx, need(ctx, inputs, 0), 'A');
    const b = floating(ctx, need(ctx, inputs, 1), 'B');
    if (a.dims.length !== 2 || b.dims.length !== 2)
      ctx.fail(`A and B must be 2-D, are [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
    const transA = intAttr(ctx, 'transA', 0) === 1;
    const transB = intAttr(ctx, 'transB', 0) === 1;
    const [a0, a1] = a.dims as [number, number];
    const [b0, b1] = b.dims as [number, number];
    const M = transA ? a1 : a0;
    const K = transA ? a0 : a1;
    const Kb = transB ? b1 : b0;
    const N = transB ? b0 : b1;
    if (K !== Kb) ctx.fail(`A's ${K} columns do not match B's ${Kb} rows (after transA/transB)`);
    const y = like(a, [M, N]);
    const c = inputs[2];
    const beta = floatAttr(ctx, 'beta', 1);
    if (c && beta !== 0) {
      // C broadcasts unidirectionally to [M, N].
      const out = broadcastShape([[M, N], c.dims], ctx.fail);
      if (out[0] !== M || out[1] !== N) ctx.fail(`C [${c.dims.join(', ')}] does not broadcast to [${M}, ${N}]`);
      const ic = broadcastIndex(c.dims, [M, N]);
      for (let i = 0; i < M * N; i++) y.data[i] = beta * (c.data[ic ? (ic[i] as number) : i] as number);
    }
    gemm(a.data, 0, b.data, 0, y.data, 0, M, K, N, transA, transB, floatAttr(ctx, 'alpha', 1));
    return [y];
  },
};

const MatMul: OpSpec = {
  attributes: [],
  run(ctx, inputs) {
    const a0 = floating(ctx, need(ctx, inputs, 0), 'A');
    const b0 = floating(ctx, need(ctx, inputs, 1), 'B');
    if (a0.type !== b0.type) ctx.fail(`inputs have types ${a0.type} and ${b0.type}`);
    const aDims = a0.dims.length === 1 ? [1, a0.dims[0] as number] : a0.dims;
    const bDims = b0.dims.length === 1 ? [b0.dims[0] as number, 1] : b0.dims;
    if (aDims.length < 2 || bDims.length < 2) ctx.fail('inputs must have rank ≥ 1');
    const M = aDims[aDims.length - 2] as number;
    const K = aDims[aDims.length - 1] as number;
    const Kb = bDims[bDims.length - 2] as number;
    const N = bDims[bDims.length - 1] as number;
    if (K !== Kb) ctx.fail(`A [${a0.dims.join(', ')}] and B [${b0.dims.join(', ')}] do not multiply`);
    const batch = broadcastShape([aDims.slice(0, -2), bDims.slice(0, -2)], ctx.fail);
    const ia = broadcastIndex(aDims.slice(0, -2), batch);
    const ib = broadcastIndex(bDims.slice(0, -2), batch);
    const nb = sizeOf(batch);
    const y = like(a0, [...batch, M, N]);
    for (let p = 0; p < nb; p++) {
      const pa = ia ? (ia[p] as number) : p;
      const pb = ib ? (ib[p] as number) : p;
      gemm(a0.data, pa * M * K, b0.data, pb * K * N, y.data, p * M * N, M, K, N, false, false, 1);
    }
    let dims = [...batch, M, N];
    if (a0.dims.length === 1) dims = [...batch, N];
    if (b0.dims.length === 1) dims = a0.dims.length === 1 ? [...batch] : [...batch, M];
    return [{ ...y, dims }];
  },
};

// ---------------------------------------------------------------- activations

function softmaxLike(log: boolean): OpSpec {
  return {
    attributes: ['axis'],
    run(ctx, inputs) {
      const x = floating(ctx, need(ctx, inputs, 0));
      const rank = x.dims.length;
      const legacy = ctx.opset < 13;
      const axis = axisOf(ctx, intAttr(ctx, 'axis', legacy ? 1 : -1), Math.max(rank, 1));
      // Before opset 13 the input is coerced to 2-D [∏ dims[<axis], ∏ dims[≥axis]]; from 13 one axis.
      const inner = legacy ? sizeOf(x.dims.slice(axis)) : sizeOf(x.dims.slice(axis + 1));
      const len = legacy ? inner : (x.dims[axis] as number);
      const stride = legacy ? 1 : inner;
      const groups = legacy ? sizeOf(x.dims.slice(0, axis)) : sizeOf(x.dims.slice(0, axis)) * inner;
      const y = like(x);
      for (let g = 0; g < groups; g++) {
        const base = legacy ? g * len : Math.floor(g / inner) * len * inner + (g % inner);
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < len; j++) max = Math.max(max, x.data[base + j * stride] as number);
        let sum = 0;
        for (let j = 0; j < len; j++) sum += Math.exp((x.data[base + j * stride] as number) - max);
        const logSum = Math.log(sum);
        for (let j = 0; j < len; j++) {
          const v = (x.data[base + j * stride] as number) - max;
          y.data[base + j * stride] = log ? v - logSum : Math.exp(v) / sum;
        }
      }
      return [y];
    },
  };
}

const PRelu: OpSpec = {
  attributes: ['consumed_inputs'],
  run(ctx, inputs) {
    const x = floating(ctx, need(ctx, inputs, 0));
    let slope = need(ctx, inputs, 1);
    // Opset < 7 PRelu took a per-channel slope [C] (channels on axis 1) without numpy broadcasting.
    if (
      ctx.opset < 7 &&
      slope.dims.length === 1 &&
      x.dims.length > 2 &&
      slope.dims[0] === x.dims[1] &&
      slope.dims[0] !== 1
    )
      slope = { ...slope, dims: [slope.dims[0] as number, ...x.dims.slice(2).map(() => 1)] };
    const y = elementwise(ctx, x, slope, (v, s) => (v < 0 ? s * v : v));
    if (y.dims.length !== x.dims.length || y.dims.some((d, i) => d !== x.dims[i]))
      ctx.fail(`slope [${slope.dims.join(', ')}] does not broadcast to X [${x.dims.join(', ')}]`);
    return [y];
  },
};

const Clip: OpSpec = {
  attributes: ['min', 'max', 'consumed_inputs'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    let lo = Number.NEGATIVE_INFINITY;
    let hi = Number.POSITIVE_INFINITY;
    if (ctx.opset < 11) {
      lo = floatAttr(ctx, 'min', lo);
      hi = floatAttr(ctx, 'max', hi);
    } else {
      const scalar = (t: Tensor | undefined, what: string, fallback: number): number => {
        if (!t) return fallback;
        if (t.data.length !== 1) ctx.fail(`${what} must be a scalar, has ${t.data.length} values`);
        return t.data[0] as number;
      };
      lo = scalar(inputs[1], 'min', lo);
      hi = scalar(inputs[2], 'max', hi);
    }
    const y = like(x);
    for (let i = 0; i < x.data.length; i++) y.data[i] = Math.min(hi, Math.max(lo, x.data[i] as number));
    return [y];
  },
};

// ---------------------------------------------------------------- convolution and pooling

interface Window {
  /** Spatial input dims (1 or 2 of them). */
  spatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads per spatial axis. */
  begin: number[];
  /** End pads per spatial axis. */
  end: number[];
  out: number[];
}

/** Output size and pads per spatial axis from kernel_shape, strides, dilations, pads or auto_pad (and ceil_mode for pools). */
function windowOf(ctx: OpContext, spatial: number[], kernel: number[], ceilMode: boolean): Window {
  const r = spatial.length;
  if (r < 1 || r > 2) ctx.unsupported(`${r}-D input (only 1-D and 2-D)`);
  if (kernel.length !== r) ctx.fail(`kernel_shape has ${kernel.length} entries for ${r} spatial dims`);
  const strides = intsAttr(ctx, 'strides') ?? spatial.map(() => 1);
  const dilations = intsAttr(ctx, 'dilations') ?? spatial.map(() => 1);
  if (strides.length !== r || dilations.length !== r) ctx.fail(`strides/dilations must have ${r} entries`);
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1)) ctx.fail('strides and dilations must be ≥ 1');
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET');
  const begin: number[] = [];
  const end: number[] = [];
  const out: number[] = [];
  const pads = intsAttr(ctx, 'pads');
  if (pads && autoPad !== 'NOTSET') ctx.fail(`pads and auto_pad ${autoPad} are both set`);
  if (pads && pads.length !== 2 * r) ctx.fail(`pads has ${pads.length} entries, needs ${2 * r}`);
  for (let i = 0; i < r; i++) {
    const size = spatial[i] as number;
    const s = strides[i] as number;
    const dk = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(size / s);
      const total = Math.max(0, (o - 1) * s + dk - size);
      const b = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      begin.push(b);
      end.push(total - b);
      out.push(o);
      continue;
    }
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') ctx.fail(`auto_pad "${autoPad}" is not an ONNX value`);
    const b = autoPad === 'VALID' ? 0 : (pads?.[i] ?? 0);
    const e = autoPad === 'VALID' ? 0 : (pads?.[i + r] ?? 0);
    if (b < 0 || e < 0) ctx.fail('pads must be ≥ 0');
    const span = size + b + e - dk;
    if (span < 0) ctx.fail(`kernel (${dk} with dilation) is larger than the padded input (${size + b + e})`);
    let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // With ceil_mode the last window must start inside the input or its begin pad.
    if (ceilMode && (o - 1) * s >= size + b) o--;
    begin.push(b);
    end.push(e);
    out.push(o);
  }
  return { spatial, kernel, strides, dilations, begin, end, out };
}

/** N, C and the spatial dims of an NC(H)W tensor, 1-D as H = 1. */
function nchw(ctx: OpContext, x: Tensor): { n: number; c: number; spatial: number[] } {
  if (x.dims.length < 3) ctx.fail(`input must be [N, C, …spatial], is [${x.dims.join(', ')}]`);
  return { n: x.dims[0] as number, c: x.dims[1] as number, spatial: x.dims.slice(2) };
}

/** 2-D view (h, w, kernel, strides …) of a 1-D or 2-D window. */
function as2d(w: Window): {
  h: number;
  wd: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
  eh: number;
  ew: number;
} {
  const two = w.spatial.length === 2;
  const pick = (a: number[], fallback: number) => (two ? [a[0] as number, a[1] as number] : [fallback, a[0] as number]);
  const [h, wd] = pick(w.spatial, 1) as [number, number];
  const [kh, kw] = pick(w.kernel, 1) as [number, number];
  const [sh, sw] = pick(w.strides, 1) as [number, number];
  const [dh, dw] = pick(w.dilations, 1) as [number, number];
  const [ph, pw] = pick(w.begin, 0) as [number, number];
  const [eh, ew] = pick(w.end, 0) as [number, number];
  const [oh, ow] = pick(w.out, 1) as [number, number];
  return { h, wd, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, eh, ew };
}

const Conv: OpSpec = {
  attributes: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'],
  run(ctx, inputs) {
    const x = floating(ctx, need(ctx, inputs, 0), 'X');
    const wt = need(ctx, inputs, 1);
    const { n, c, spatial } = nchw(ctx, x);
    const group = intAttr(ctx, 'group', 1);
    const m = wt.dims[0] as number;
    if (wt.dims.length !== x.dims.length)
      ctx.fail(`W [${wt.dims.join(', ')}] and X [${x.dims.join(', ')}] differ in rank`);
    if (group < 1 || c % group !== 0 || m % group !== 0)
      ctx.fail(`group ${group} does not divide C = ${c} and M = ${m}`);
    const cg = c / group;
    if (wt.dims[1] !== cg) ctx.fail(`W has ${wt.dims[1]} input channels per group, X gives ${cg}`);
    const kernel = intsAttr(ctx, 'kernel_shape') ?? wt.dims.slice(2);
    if (kernel.some((k, i) => k !== wt.dims[2 + i])) ctx.fail(`kernel_shape [${kernel.join(', ')}] disagrees with W`);
    const bias = inputs[2];
    if (bias && (bias.dims.length !== 1 || bias.dims[0] !== m))
      ctx.fail(`B must be [${m}], is [${bias.dims.join(', ')}]`);
    const win = windowOf(ctx, spatial, kernel, false);
    const g = as2d(win);
    const y = like(x, [n, m, ...win.out]);
    const mg = m / group;
    const xd = x.data;
    const wd = wt.data;
    const yd = y.data;
    const plane = g.h * g.wd;
    const oplane = g.oh * g.ow;
    const acc = new Float64Array(oplane);
    for (let b = 0; b < n; b++) {
      for (let oc = 0; oc < m; oc++) {
        const grp = Math.floor(oc / mg);
        acc.fill(bias ? (bias.data[oc] as number) : 0);
        for (let ic = 0; ic < cg; ic++) {
          const xo = (b * c + grp * cg + ic) * plane;
          const wo = (oc * cg + ic) * g.kh * g.kw;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const w = wd[wo + ky * g.kw + kx] as number;
              if (w === 0) continue;
              for (let oy = 0; oy < g.oh; oy++) {
                const iy = oy * g.sh - g.ph + ky * g.dh;
                if (iy < 0 || iy >= g.h) continue;
                const row = xo + iy * g.wd;
                const ao = oy * g.ow;
                for (let ox = 0; ox < g.ow; ox++) {
                  const ix = ox * g.sw - g.pw + kx * g.dw;
                  if (ix < 0 || ix >= g.wd) continue;
                  acc[ao + ox] = (acc[ao + ox] as number) + w * (xd[row + ix] as number);
                }
              }
            }
          }
        }
        yd.set(acc, (b * m + oc) * oplane);
      }
    }
    return [y];
  },
};

function pool(max: boolean): OpSpec {
  return {
    attributes: max
      ? ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']
      : ['auto_pad', 'ceil_mode', 'count_include_pad', 'kernel_shape', 'pads', 'strides'],
    run(ctx, inputs) {
      if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) ctx.unsupported('output Indices');
      const x = floating(ctx, need(ctx, inputs, 0), 'X');
      const { n, c, spatial } = nchw(ctx, x);
      const kernel = intsAttr(ctx, 'kernel_shape') ?? ctx.fail('attribute kernel_shape is required');
      if (!max && attribute(ctx, 'dilations')) ctx.unsupported('attribute dilations');
      const win = windowOf(ctx, spatial, kernel, intAttr(ctx, 'ceil_mode', 0) === 1);
      const g = as2d(win);
      const includePad = intAttr(ctx, 'count_include_pad', 0) === 1;
      const y = like(x, [n, c, ...win.out]);
      const plane = g.h * g.wd;
      for (let p = 0; p < n * c; p++) {
        const xo = p * plane;
        for (let oy = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++) {
            let best = Number.NEGATIVE_INFINITY;
            let sum = 0;
            let count = 0;
            let padded = 0;
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = oy * g.sh - g.ph + ky * g.dh;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = ox * g.sw - g.pw + kx * g.dw;
                // Positions in the pads count for count_include_pad; those past the pads (ceil_mode) never.
                if (iy >= -g.ph && iy < g.h + g.eh && ix >= -g.pw && ix < g.wd + g.ew) padded++;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.wd) continue;
                const v = x.data[xo + iy * g.wd + ix] as number;
                if (v > best || Number.isNaN(v)) best = v;
                sum += v;
                count++;
              }
            }
            y.data[(p * g.oh + oy) * g.ow + ox] = max ? best : sum / (includePad ? padded : count);
          }
        }
      }
      return [y];
    },
  };
}

function globalPool(max: boolean): OpSpec {
  return {
    attributes: [],
    run(ctx, inputs) {
      const x = floating(ctx, need(ctx, inputs, 0), 'X');
      const { n, c, spatial } = nchw(ctx, x);
      const plane = sizeOf(spatial);
      const y = like(x, [n, c, ...spatial.map(() => 1)]);
      for (let p = 0; p < n * c; p++) {
        let acc = max ? Number.NEGATIVE_INFINITY : 0;
        for (let i = 0; i < plane; i++) {
          const v = x.data[p * plane + i] as number;
          acc = max ? Math.max(acc, v) : acc + v;
        }
        y.data[p] = max ? acc : acc / plane;
      }
      return [y];
    },
  };
}

const BatchNormalization: OpSpec = {
  attributes: ['epsilon', 'momentum', 'spatial', 'is_test', 'training_mode', 'consumed_inputs'],
  run(ctx, inputs) {
    if (intAttr(ctx, 'training_mode', 0) !== 0) ctx.unsupported('training_mode = 1 (inference only)');
    if (ctx.opset < 7 && intAttr(ctx, 'is_test', 0) !== 1 && ctx.node.outputs.filter(Boolean).length > 1)
      ctx.unsupported('training outputs (inference only)');
    if (ctx.node.outputs.slice(1).some(Boolean)) ctx.unsupported('outputs running_mean/running_var (inference only)');
    if (intAttr(ctx, 'spatial', 1) !== 1) ctx.unsupported('spatial = 0');
    const x = floating(ctx, need(ctx, inputs, 0), 'X');
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => need(ctx, inputs, i)) as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ];
    const c = x.dims[1] ?? 1;
    for (const [name, t] of [
      ['scale', scale],
      ['B', bias],
      ['mean', mean],
      ['var', variance],
    ] as const)
      if (t.data.length !== c) ctx.fail(`${name} has ${t.data.length} values, X has ${c} channels`);
    const eps = floatAttr(ctx, 'epsilon', 1e-5);
    const inner = sizeOf(x.dims.slice(2));
    const n = x.dims[0] ?? 1;
    const y = like(x);
    for (let ch = 0; ch < c; ch++) {
      const a = (scale.data[ch] as number) / Math.sqrt((variance.data[ch] as number) + eps);
      const b = (bias.data[ch] as number) - a * (mean.data[ch] as number);
      for (let p = 0; p < n; p++) {
        const o = (p * c + ch) * inner;
        for (let i = 0; i < inner; i++) y.data[o + i] = a * (x.data[o + i] as number) + b;
      }
    }
    return [y];
  },
};

// ---------------------------------------------------------------- shapes

function reshaped(t: Tensor, dims: number[]): Tensor {
  return { type: t.type, dims, data: t.data };
}

const Flatten: OpSpec = {
  attributes: ['axis'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const rank = x.dims.length;
    const a = intAttr(ctx, 'axis', 1);
    if (a < -rank || a > rank) ctx.fail(`axis ${a} is out of range for rank ${rank}`);
    const axis = a < 0 ? a + rank : a;
    return [reshaped(x, [sizeOf(x.dims.slice(0, axis)), sizeOf(x.dims.slice(axis))])];
  },
};

const Reshape: OpSpec = {
  attributes: ['shape', 'allowzero', 'consumed_inputs'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const spec =
      ctx.opset < 5
        ? (intsAttr(ctx, 'shape') ?? ctx.fail('attribute shape is required'))
        : intValues(ctx, need(ctx, inputs, 1), 'shape');
    const allowZero = intAttr(ctx, 'allowzero', 0) === 1;
    const dims = spec.map((d, i) =>
      d === 0 && !allowZero ? (x.dims[i] ?? ctx.fail(`shape[${i}] = 0 copies a dimension X does not have`)) : d,
    );
    const free = dims.filter((d) => d === -1).length;
    if (free > 1) ctx.fail('shape has more than one −1');
    if (dims.some((d) => d < -1)) ctx.fail(`shape [${spec.join(', ')}] has a negative dimension`);
    const known = sizeOf(dims.filter((d) => d !== -1));
    const total = sizeOf(x.dims);
    if (free) {
      if (known === 0 || total % known !== 0)
        ctx.fail(`cannot reshape [${x.dims.join(', ')}] into [${spec.join(', ')}]`);
      dims[dims.indexOf(-1)] = total / known;
    } else if (known !== total)
      ctx.fail(`cannot reshape [${x.dims.join(', ')}] (${total} values) into [${spec.join(', ')}]`);
    return [reshaped(x, dims)];
  },
};

const Transpose: OpSpec = {
  attributes: ['perm'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const rank = x.dims.length;
    const perm = intsAttr(ctx, 'perm') ?? x.dims.map((_, i) => rank - 1 - i);
    if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
      ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
    const dims = perm.map((p) => x.dims[p] as number);
    const inStrides = stridesOf(x.dims);
    const strides = perm.map((p) => inStrides[p] as number);
    const y = like(x, dims);
    const n = y.data.length;
    const counter = new Array<number>(rank).fill(0);
    let offset = 0;
    for (let k = 0; k < n; k++) {
      y.data[k] = x.data[offset] as number;
      for (let a = rank - 1; a >= 0; a--) {
        counter[a] = (counter[a] as number) + 1;
        offset += strides[a] as number;
        if ((counter[a] as number) < (dims[a] as number)) break;
        offset -= (strides[a] as number) * (dims[a] as number);
        counter[a] = 0;
      }
    }
    return [y];
  },
};

const Concat: OpSpec = {
  attributes: ['axis'],
  run(ctx, inputs) {
    const parts = inputs.map((_, i) => need(ctx, inputs, i));
    const first = parts[0] ?? ctx.fail('needs at least one input');
    const rank = first.dims.length;
    const axis = axisOf(ctx, intAttr(ctx, 'axis', ctx.opset < 4 ? 1 : 0), rank);
    for (const p of parts)
      if (p.type !== first.type || p.dims.length !== rank || p.dims.some((d, i) => i !== axis && d !== first.dims[i]))
        ctx.fail(`inputs [${parts.map((q) => q.dims.join(', ')).join('] and [')}] do not concatenate on axis ${axis}`);
    const outer = sizeOf(first.dims.slice(0, axis));
    const inner = sizeOf(first.dims.slice(axis + 1));
    const total = parts.reduce((s, p) => s + (p.dims[axis] as number), 0);
    const y = like(
      first,
      first.dims.map((d, i) => (i === axis ? total : d)),
    );
    let at = 0;
    for (const p of parts) {
      const chunk = (p.dims[axis] as number) * inner;
      for (let o = 0; o < outer; o++) y.data.set(p.data.subarray(o * chunk, (o + 1) * chunk), o * total * inner + at);
      at += chunk;
    }
    return [y];
  },
};

function axesOf(ctx: OpContext, inputs: readonly (Tensor | undefined)[]): number[] | undefined {
  if (ctx.opset < 13) return intsAttr(ctx, 'axes');
  const t = inputs[1];
  return t ? intValues(ctx, t, 'axes') : undefined;
}

const Unsqueeze: OpSpec = {
  attributes: ['axes'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const axes = axesOf(ctx, inputs) ?? ctx.fail('axes are required');
    const rank = x.dims.length + axes.length;
    const at = new Set(axes.map((a) => axisOf(ctx, a, rank, 'axes entry')));
    if (at.size !== axes.length) ctx.fail('axes repeat an axis');
    const dims: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) dims.push(at.has(i) ? 1 : (x.dims[j++] as number));
    return [reshaped(x, dims)];
  },
};

const Squeeze: OpSpec = {
  attributes: ['axes'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const axes = axesOf(ctx, inputs);
    const drop = new Set(
      axes
        ? axes.map((a) => axisOf(ctx, a, x.dims.length, 'axes entry'))
        : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])),
    );
    for (const a of drop) if (x.dims[a] !== 1) ctx.fail(`axis ${a} has size ${x.dims[a]}, not 1`);
    return [
      reshaped(
        x,
        x.dims.filter((_, i) => !drop.has(i)),
      ),
    ];
  },
};

const Shape: OpSpec = {
  attributes: ['start', 'end'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const r = x.dims.length;
    const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
    const dims = x.dims.slice(clamp(intAttr(ctx, 'start', 0)), clamp(intAttr(ctx, 'end', r)));
    return [{ type: 'int64', dims: [dims.length], data: Float64Array.from(dims) }];
  },
};

const Gather: OpSpec = {
  attributes: ['axis'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const indices = need(ctx, inputs, 1);
    const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.dims.length);
    const size = x.dims[axis] as number;
    const idx = intValues(ctx, indices, 'indices').map((i) => {
      if (i < -size || i >= size) ctx.fail(`index ${i} is out of range for axis ${axis} of size ${size}`);
      return i < 0 ? i + size : i;
    });
    const outer = sizeOf(x.dims.slice(0, axis));
    const inner = sizeOf(x.dims.slice(axis + 1));
    const y = like(x, [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)]);
    let o = 0;
    for (let a = 0; a < outer; a++)
      for (const i of idx) {
        y.data.set(x.data.subarray((a * size + i) * inner, (a * size + i + 1) * inner), o);
        o += inner;
      }
    return [y];
  },
};

/** TensorProto.DataType codes Cast converts to. */
const CAST_TO: Readonly<Record<number, Tensor['type']>> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'double',
};

const Cast: OpSpec = {
  attributes: ['to', 'saturate'],
  run(ctx, inputs) {
    const x = need(ctx, inputs, 0);
    const code = intAttr(ctx, 'to', -1);
    const to = CAST_TO[code] ?? ctx.unsupported(`cast to data type ${code}`);
    const y = zeros(to, [...x.dims]);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i] as number;
      y.data[i] = to === 'bool' ? (v !== 0 ? 1 : 0) : isInteger(to) ? Math.trunc(v) : v;
    }
    return [y];
  },
};

const Constant: OpSpec = {
  attributes: ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'],
  run(ctx) {
    const [name, a] = [...ctx.node.attributes][0] ?? ctx.fail('has no value attribute');
    if (ctx.node.attributes.size !== 1) ctx.fail('must have exactly one value attribute');
    switch (a.kind) {
      case 'tensor':
        return [fromOnnxTensor(a.value as OnnxTensor, `${name}`)];
      case 'float':
        return [{ type: 'float', dims: [], data: Float32Array.of(a.value) }];
      case 'floats':
        return [{ type: 'float', dims: [a.value.length], data: Float32Array.from(a.value) }];
      case 'int':
        return [{ type: 'int64', dims: [], data: Float64Array.of(a.value) }];
      case 'ints':
        return [{ type: 'int64', dims: [a.value.length], data: Float64Array.from(a.value) }];
      default:
        return ctx.unsupported(`value attribute of kind ${a.kind}`);
    }
  },
};

const Identity: OpSpec = { attributes: [], run: (ctx, inputs) => [need(ctx, inputs, 0)] };

const Dropout: OpSpec = {
  attributes: ['ratio', 'is_test', 'seed', 'consumed_inputs'],
  run(ctx, inputs) {
    const training = inputs[2];
    if (training && training.data[0] !== 0) ctx.unsupported('training_mode = true (inference only)');
    const x = need(ctx, inputs, 0);
    const outs: Tensor[] = [x];
    if (ctx.node.outputs[1])
      outs.push({ type: 'bool', dims: [...x.dims], data: new Float64Array(x.data.length).fill(1) });
    return outs;
  },
};

/** SELU's defaults: the float32 values of α = 1.6732632423543772 and γ = 1.0507009873554805 (Klambauer et al., arXiv:1706.02515). */
const SELU_ALPHA = 1.6732631921768188;
const SELU_GAMMA = 1.0507010221481323;

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

const truncDiv = (x: number, y: number): number => Math.trunc(x / y);

/** The operators by op_type. */
export const ONNX_OPS: Readonly<Record<string, OpSpec>> = {
  Gemm,
  MatMul,
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  Div: binary((x, y) => x / y, truncDiv),
  Pow: binary((x, y) => x ** y),
  Max: variadic((x, y) => (Number.isNaN(x) || x > y ? x : y)),
  Min: variadic((x, y) => (Number.isNaN(x) || x < y ? x : y)),
  Sum: variadic((x, y) => x + y),
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Relu: unary((x) => Math.max(0, x)),
  LeakyRelu: unaryWith(['alpha'], (ctx) => {
    const a = floatAttr(ctx, 'alpha', 0.01);
    return (x) => (x < 0 ? a * x : x);
  }),
  Elu: unaryWith(['alpha'], (ctx) => {
    const a = floatAttr(ctx, 'alpha', 1);
    return (x) => (x < 0 ? a * Math.expm1(x) : x);
  }),
  Selu: unaryWith(['alpha', 'gamma'], (ctx) => {
    const a = floatAttr(ctx, 'alpha', SELU_ALPHA);
    const g = floatAttr(ctx, 'gamma', SELU_GAMMA);
    return (x) => (x > 0 ? g * x : g * a * Math.expm1(x));
  }),
  PRelu,
  Sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
  Tanh: unary(Math.tanh),
  Softplus: unary(softplus),
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  Clip,
  Conv,
  MaxPool: pool(true),
  AveragePool: pool(false),
  GlobalAveragePool: globalPool(false),
  GlobalMaxPool: globalPool(true),
  BatchNormalization,
  Flatten,
  Reshape,
  Transpose,
  Concat,
  Unsqueeze,
  Squeeze,
  Shape,
  Gather,
  Cast,
  Constant,
  Identity,
  Dropout,
};
