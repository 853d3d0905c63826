/**
 * WebAssembly SIMD kernels of the hepml runtime (128-bit v128, 4 float32 lanes). Memory is laid out
 * by the caller (runtime/wasm-kernels.ts): this module owns no heap, it only reads and writes the
 * regions it is given. All pointers are byte offsets into the module's memory, 16-byte aligned.
 *
 * dense:        y[r·units + j] = act(b[j] + Σ_i x[r·fanIn + i] · w[i·units + j]) for r < rows,
 *               w row-major [fanIn × units]; tiles of 4 rows × 8 units in 8 accumulators.
 * denseNarrow:  the same for a few units with w transposed [units × fanIn] (dot products along i).
 * activate:     element-wise act (or softmax per row of `units`) applied in place.
 * Feature maps of a block of n samples, channels last, [n × h × w × c] (cnn-film runtime):
 * padMaps:      copies maps into the interior of zero-bordered maps for a padded convolution.
 * conv2d:       convolution on padded maps as an implicit GEMM (no im2col): tiles of 4 output
 *               pixels (across rows and samples) × 8 filters, bias, relu and FiLM fused.
 * pool2d:       max or average pooling over the cells of each window inside the map.
 * film:         x = γ[s, ch]·x + β[s, ch] with per-sample [γ | β] rows; affine: x = a[ch]·x + b[ch].
 * meanPool:     global average over each map; concatRows: [a row | b row] per sample.
 * Activation codes: 0 linear, 1 relu, 2 sigmoid, 3 tanh, 4 elu, 5 softmax.
 */

const LINEAR = 0;
const RELU = 1;
const SOFTMAX = 5;

/** First byte after the module's static data: where the caller may start its own regions. */
export function heapBase(): usize {
  return __heap_base;
}

function fused(a: v128, act: i32): v128 {
  return act === RELU ? f32x4.max(a, f32x4.splat(0)) : a;
}

function fusedScalar(a: f32, act: i32): f32 {
  return act === RELU ? (a > 0 ? a : 0) : a;
}

/** Dense layer on `rows` rows; relu and linear are fused into the store, the others left to `activate`. */
export function dense(x: usize, w: usize, b: usize, y: usize, rows: i32, fanIn: i32, units: i32, act: i32): void {
  const rowIn = (<usize>fanIn) << 2;
  const rowOut = (<usize>units) << 2;
  const fuse = act === RELU ? RELU : LINEAR;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = x + <usize>r * rowIn;
    const x1 = x0 + rowIn;
    const x2 = x1 + rowIn;
    const x3 = x2 + rowIn;
    const y0 = y + <usize>r * rowOut;
    const y1 = y0 + rowOut;
    const y2 = y1 + rowOut;
    const y3 = y2 + rowOut;
    let j = 0;
    for (; j + 8 <= units; j += 8) {
      const jo = (<usize>j) << 2;
      const bias0 = v128.load(b + jo);
      const bias1 = v128.load(b + jo, 16);
      let a00 = bias0;
      let a01 = bias1;
      let a10 = bias0;
      let a11 = bias1;
      let a20 = bias0;
      let a21 = bias1;
      let a30 = bias0;
      let a31 = bias1;
      let wp = w + jo;
      for (let i: usize = 0; i < rowIn; i += 4) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        let s = v128.load32_splat(x0 + i);
        a00 = f32x4.add(a00, f32x4.mul(s, w0));
        a01 = f32x4.add(a01, f32x4.mul(s, w1));
        s = v128.load32_splat(x1 + i);
        a10 = f32x4.add(a10, f32x4.mul(s, w0));
        a11 = f32x4.add(a11, f32x4.mul(s, w1));
        s = v128.load32_splat(x2 + i);
        a20 = f32x4.add(a20, f32x4.mul(s, w0));
        a21 = f32x4.add(a21, f32x4.mul(s, w1));
        s = v128.load32_splat(x3 + i);
        a30 = f32x4.add(a30, f32x4.mul(s, w0));
        a31 = f32x4.add(a31, f32x4.mul(s, w1));
        wp += rowOut;
      }
      v128.store(y0 + jo, fused(a00, fuse));
      v128.store(y0 + jo, fused(a01, fuse), 16);
      v128.store(y1 + jo, fused(a10, fuse));
      v128.store(y1 + jo, fused(a11, fuse), 16);
      v128.store(y2 + jo, fused(a20, fuse));
      v128.store(y2 + jo, fused(a21, fuse), 16);
      v128.store(y3 + jo, fused(a30, fuse));
      v128.store(y3 + jo, fused(a31, fuse), 16);
    }
    for (; j + 4 <= units; j += 4) {
      const jo = (<usize>j) << 2;
      const bias = v128.load(b + jo);
      let a0 = bias;
      let a1 = bias;
      let a2 = bias;
      let a3 = bias;
      let wp = w + jo;
      for (let i: usize = 0; i < rowIn; i += 4) {
        const w0 = v128.load(wp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x0 + i), w0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(x1 + i), w0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(x2 + i), w0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(x3 + i), w0));
        wp += rowOut;
      }
      v128.store(y0 + jo, fused(a0, fuse));
      v128.store(y1 + jo, fused(a1, fuse));
      v128.store(y2 + jo, fused(a2, fuse));
      v128.store(y3 + jo, fused(a3, fuse));
    }
    for (; j < units; j++) {
      const jo = (<usize>j) << 2;
      for (let k = 0; k < 4; k++) {
        const xr = x0 + <usize>k * rowIn;
        let a = load<f32>(b + jo);
        let wp = w + jo;
        for (let i: usize = 0; i < rowIn; i += 4) {
          a += load<f32>(xr + i) * load<f32>(wp);
          wp += rowOut;
        }
        store<f32>(y0 + <usize>k * rowOut + jo, fusedScalar(a, fuse));
      }
    }
  }
  for (; r < rows; r++) {
    const xr = x + <usize>r * rowIn;
    const yr = y + <usize>r * rowOut;
    let j = 0;
    // Four independent accumulators keep the adds of a single row from waiting on each other.
    for (; j + 16 <= units; j += 16) {
      const jo = (<usize>j) << 2;
      let a0 = v128.load(b + jo);
      let a1 = v128.load(b + jo, 16);
      let a2 = v128.load(b + jo, 32);
      let a3 = v128.load(b + jo, 48);
      let wp = w + jo;
      for (let i: usize = 0; i < rowIn; i += 4) {
        const s = v128.load32_splat(xr + i);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wp)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(wp, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(wp, 48)));
        wp += rowOut;
      }
      v128.store(yr + jo, fused(a0, fuse));
      v128.store(yr + jo, fused(a1, fuse), 16);
      v128.store(yr + jo, fused(a2, fuse), 32);
      v128.store(yr + jo, fused(a3, fuse), 48);
    }
    for (; j + 4 <= units; j += 4) {
      const jo = (<usize>j) << 2;
      let a = v128.load(b + jo);
      let wp = w + jo;
      for (let i: usize = 0; i < rowIn; i += 4) {
        a = f32x4.add(a, f32x4.mul(v128.load32_splat(xr + i), v128.load(wp)));
        wp += rowOut;
      }
      v128.store(yr + jo, fused(a, fuse));
    }
    for (; j < units; j++) {
      const jo = (<usize>j) << 2;
      let a = load<f32>(b + jo);
      let wp = w + jo;
      for (let i: usize = 0; i < rowIn; i += 4) {
        a += load<f32>(xr + i) * load<f32>(wp);
        wp += rowOut;
      }
      store<f32>(yr + jo, fusedScalar(a, fuse));
    }
  }
  if (act > RELU) activate(y, rows, units, act);
}

/** Dense layer with few units, `wt` transposed [units × fanIn]: one SIMD dot product per row and unit. */
export function denseNarrow(
  x: usize,
  wt: usize,
  b: usize,
  y: usize,
  rows: i32,
  fanIn: i32,
  units: i32,
  act: i32,
): void {
  const rowIn = (<usize>fanIn) << 2;
  const vecEnd = rowIn & ~(<usize>15);
  const fuse = act === RELU ? RELU : LINEAR;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowIn;
    const yr = y + ((<usize>r * <usize>units) << 2);
    for (let j = 0; j < units; j++) {
      const wr = wt + <usize>j * rowIn;
      let acc = f32x4.splat(0);
      let i: usize = 0;
      for (; i < vecEnd; i += 16) acc = f32x4.add(acc, f32x4.mul(v128.load(xr + i), v128.load(wr + i)));
      let a =
        load<f32>(b + ((<usize>j) << 2)) +
        (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) +
        (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; i < rowIn; i += 4) a += load<f32>(xr + i) * load<f32>(wr + i);
      store<f32>(yr + ((<usize>j) << 2), fusedScalar(a, fuse));
    }
  }
  if (act > RELU) activate(y, rows, units, act);
}

/**
 * e^x on 4 lanes (Cephes expf): n = round(x/ln2), r = x − n·ln2 in two parts (Cody–Waite),
 * e^r by a degree-6 polynomial, times 2^n built in the exponent bits; x clamped to [−87.3, 88]
 * so that 2^n stays a normal float. Relative error about 1e-7.
 */
function expv(v: v128): v128 {
  const x = f32x4.min(f32x4.max(v, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(<f32>Math.LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, f32x4.splat(2.1219444e-4)));
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** Applies relu and sigmoid (SIMD), tanh, elu (α = 1) element-wise, or softmax over each row of `units`, in place. */
export function activate(y: usize, rows: i32, units: i32, act: i32): void {
  const count = <usize>rows * <usize>units;
  let start: usize = 0;
  if (act === 2) {
    const one = f32x4.splat(1);
    for (; start + 4 <= count; start += 4) {
      const p = y + (start << 2);
      v128.store(p, f32x4.div(one, f32x4.add(one, expv(f32x4.neg(v128.load(p))))));
    }
  }
  if (act === SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const yr = y + ((<usize>r * <usize>units) << 2);
      let max = -Infinity as f32;
      for (let j = 0; j < units; j++) max = Mathf.max(max, load<f32>(yr + ((<usize>j) << 2)));
      let sum: f32 = 0;
      for (let j = 0; j < units; j++) {
        const e = Mathf.exp(load<f32>(yr + ((<usize>j) << 2)) - max);
        store<f32>(yr + ((<usize>j) << 2), e);
        sum += e;
      }
      const inv: f32 = 1 / sum;
      for (let j = 0; j < units; j++) store<f32>(yr + ((<usize>j) << 2), load<f32>(yr + ((<usize>j) << 2)) * inv);
    }
    return;
  }
  if (act === RELU) {
    const zero = f32x4.splat(0);
    for (; start + 4 <= count; start += 4) {
      const p = y + (start << 2);
      v128.store(p, f32x4.max(v128.load(p), zero));
    }
  }
  for (let k: usize = start; k < count; k++) {
    const p = y + (k << 2);
    const v = load<f32>(p);
    if (act === RELU) store<f32>(p, Mathf.max(v, 0));
    else if (act === 2) store<f32>(p, 1 / (1 + Mathf.exp(-v)));
    else if (act === 3) store<f32>(p, Mathf.tanh(v));
    else if (act === 4 && v < 0) store<f32>(p, Mathf.expm1(v));
  }
}

/** Copies `bytes` (a multiple of 4) from s to d, 16 bytes at a time. */
function copyFloats(d: usize, s: usize, bytes: usize): void {
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) v128.store(d + k, v128.load(s + k));
  for (; k < bytes; k += 4) store<f32>(d + k, load<f32>(s + k));
}

/**
 * Copies n maps [h × w × c] from src into the interior of the maps dst [hp × wp × c], starting at
 * row ph and column pw. The border cells are not written: the caller zeroes them once, so that
 * dst serves as the zero-padded input of {@link conv2d} call after call.
 */
export function padMaps(
  src: usize,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  dst: usize,
  hp: i32,
  wp: i32,
  ph: i32,
  pw: i32,
): void {
  const rowBytes = (<usize>w * <usize>c) << 2;
  const dstRow = (<usize>wp * <usize>c) << 2;
  const dstMap = <usize>hp * dstRow;
  const inset = <usize>ph * dstRow + ((<usize>pw * <usize>c) << 2);
  let s = src;
  for (let m = 0; m < n; m++) {
    let d = dst + <usize>m * dstMap + inset;
    for (let y = 0; y < h; y++) {
      copyFloats(d, s, rowBytes);
      s += rowBytes;
      d += dstRow;
    }
  }
}

// The output pixel a conv2d tile takes next: sample, row, column (advanced across rows and samples).
let pixelM: i32 = 0;
let pixelI: i32 = 0;
let pixelJ: i32 = 0;

function nextPixel(oh: i32, ow: i32): void {
  if (++pixelJ === ow) {
    pixelJ = 0;
    if (++pixelI === oh) {
      pixelI = 0;
      pixelM++;
    }
  }
}

/** γ·a + β for 4 lanes of one pixel's filters when film ≠ 0 ([γ | β] row at f, filter byte offset fo). */
function filmed(a: v128, f: usize, fo: usize, outRow: usize): v128 {
  return f === 0 ? a : f32x4.add(f32x4.mul(v128.load(f + fo), a), v128.load(f + outRow + fo));
}

/**
 * Convolution of n zero-padded maps src [hp × wp × c] with kernel [kh × kw × c × filters] (tfjs
 * layout), strides sh, sw, into dst [n × oh × ow × filters]:
 *   y[m, i, j, f] = act(b[f] + Σ_{u<kh, v<kw, ch<c} x[m, i·sh + u, j·sw + v, ch] · K[u, v, ch, f]),
 * then, when film ≠ 0, y = γ[m, f]·y + β[m, f] with the row [γ (filters) | β (filters)] of sample m
 * at film + m·8·filters. As a GEMM of the [n·oh·ow × kh·kw·c] window matrix by K, read in place: a
 * window is kh runs of kw·c contiguous values, one per padded row. Tiles of 4 output pixels (taken
 * in order, across rows and samples) × 8 filters keep 8 accumulators in registers; relu and linear
 * are fused into the store, other activations run after (the caller then passes film = 0 and
 * applies FiLM itself).
 */
export function conv2d(
  src: usize,
  n: i32,
  hp: i32,
  wp: i32,
  c: i32,
  kernel: usize,
  bias: usize,
  filters: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  oh: i32,
  ow: i32,
  dst: usize,
  act: i32,
  film: usize,
): void {
  const seg = (<usize>kw * <usize>c) << 2;
  const rowStride = (<usize>wp * <usize>c) << 2;
  const winBytes = <usize>kh * rowStride;
  const mapBytes = <usize>hp * rowStride;
  const stepI = <usize>sh * rowStride;
  const stepJ = (<usize>sw * <usize>c) << 2;
  const outRow = (<usize>filters) << 2;
  const filmRow = outRow << 1;
  const total = n * oh * ow;
  const fuse = act === RELU ? RELU : LINEAR;
  pixelM = 0;
  pixelI = 0;
  pixelJ = 0;
  let q = 0;
  for (; q + 4 <= total; q += 4) {
    const p0 = src + <usize>pixelM * mapBytes + <usize>pixelI * stepI + <usize>pixelJ * stepJ;
    const f0 = film === 0 ? <usize>0 : film + <usize>pixelM * filmRow;
    nextPixel(oh, ow);
    const p1 = src + <usize>pixelM * mapBytes + <usize>pixelI * stepI + <usize>pixelJ * stepJ;
    const f1 = film === 0 ? <usize>0 : film + <usize>pixelM * filmRow;
    nextPixel(oh, ow);
    const p2 = src + <usize>pixelM * mapBytes + <usize>pixelI * stepI + <usize>pixelJ * stepJ;
    const f2 = film === 0 ? <usize>0 : film + <usize>pixelM * filmRow;
    nextPixel(oh, ow);
    const p3 = src + <usize>pixelM * mapBytes + <usize>pixelI * stepI + <usize>pixelJ * stepJ;
    const f3 = film === 0 ? <usize>0 : film + <usize>pixelM * filmRow;
    nextPixel(oh, ow);
    const y0 = dst + <usize>q * outRow;
    const y1 = y0 + outRow;
    const y2 = y1 + outRow;
    const y3 = y2 + outRow;
    let f = 0;
    for (; f + 8 <= filters; f += 8) {
      const fo = (<usize>f) << 2;
      const bias0 = v128.load(bias + fo);
      const bias1 = v128.load(bias + fo, 16);
      let a00 = bias0;
      let a01 = bias1;
      let a10 = bias0;
      let a11 = bias1;
      let a20 = bias0;
      let a21 = bias1;
      let a30 = bias0;
      let a31 = bias1;
      let wq = kernel + fo;
      for (let u: usize = 0; u < winBytes; u += rowStride) {
        const end = u + seg;
        for (let t = u; t < end; t += 4) {
          const w0 = v128.load(wq);
          const w1 = v128.load(wq, 16);
          let s = v128.load32_splat(p0 + t);
          a00 = f32x4.add(a00, f32x4.mul(s, w0));
          a01 = f32x4.add(a01, f32x4.mul(s, w1));
          s = v128.load32_splat(p1 + t);
          a10 = f32x4.add(a10, f32x4.mul(s, w0));
          a11 = f32x4.add(a11, f32x4.mul(s, w1));
          s = v128.load32_splat(p2 + t);
          a20 = f32x4.add(a20, f32x4.mul(s, w0));
          a21 = f32x4.add(a21, f32x4.mul(s, w1));
          s = v128.load32_splat(p3 + t);
          a30 = f32x4.add(a30, f32x4.mul(s, w0));
          a31 = f32x4.add(a31, f32x4.mul(s, w1));
          wq += outRow;
        }
      }
      v128.store(y0 + fo, filmed(fused(a00, fuse), f0, fo, outRow));
      v128.store(y0 + fo, filmed(fused(a01, fuse), f0, fo + 16, outRow), 16);
      v128.store(y1 + fo, filmed(fused(a10, fuse), f1, fo, outRow));
      v128.store(y1 + fo, filmed(fused(a11, fuse), f1, fo + 16, outRow), 16);
      v128.store(y2 + fo, filmed(fused(a20, fuse), f2, fo, outRow));
      v128.store(y2 + fo, filmed(fused(a21, fuse), f2, fo + 16, outRow), 16);
      v128.store(y3 + fo, filmed(fused(a30, fuse), f3, fo, outRow));
      v128.store(y3 + fo, filmed(fused(a31, fuse), f3, fo + 16, outRow), 16);
    }
    for (; f + 4 <= filters; f += 4) {
      const fo = (<usize>f) << 2;
      const b0 = v128.load(bias + fo);
      let a0 = b0;
      let a1 = b0;
      let a2 = b0;
      let a3 = b0;
      let wq = kernel + fo;
      for (let u: usize = 0; u < winBytes; u += rowStride) {
        const end = u + seg;
        for (let t = u; t < end; t += 4) {
          const w0 = v128.load(wq);
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p0 + t), w0));
          a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(p1 + t), w0));
          a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(p2 + t), w0));
          a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(p3 + t), w0));
          wq += outRow;
        }
      }
      v128.store(y0 + fo, filmed(fused(a0, fuse), f0, fo, outRow));
      v128.store(y1 + fo, filmed(fused(a1, fuse), f1, fo, outRow));
      v128.store(y2 + fo, filmed(fused(a2, fuse), f2, fo, outRow));
      v128.store(y3 + fo, filmed(fused(a3, fuse), f3, fo, outRow));
    }
    if (f < filters) {
      convPixelTail(p0, y0, f0, f, kernel, bias, filters, winBytes, rowStride, seg, fuse);
      convPixelTail(p1, y1, f1, f, kernel, bias, filters, winBytes, rowStride, seg, fuse);
      convPixelTail(p2, y2, f2, f, kernel, bias, filters, winBytes, rowStride, seg, fuse);
      convPixelTail(p3, y3, f3, f, kernel, bias, filters, winBytes, rowStride, seg, fuse);
    }
  }
  for (; q < total; q++) {
    const p = src + <usize>pixelM * mapBytes + <usize>pixelI * stepI + <usize>pixelJ * stepJ;
    const fp = film === 0 ? <usize>0 : film + <usize>pixelM * filmRow;
    nextPixel(oh, ow);
    const y = dst + <usize>q * outRow;
    let f = 0;
    for (; f + 4 <= filters; f += 4) {
      const fo = (<usize>f) << 2;
      let a = v128.load(bias + fo);
      let wq = kernel + fo;
      for (let u: usize = 0; u < winBytes; u += rowStride) {
        const end = u + seg;
        for (let t = u; t < end; t += 4) {
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(p + t), v128.load(wq)));
          wq += outRow;
        }
      }
      v128.store(y + fo, filmed(fused(a, fuse), fp, fo, outRow));
    }
    convPixelTail(p, y, fp, f, kernel, bias, filters, winBytes, rowStride, seg, fuse);
  }
  if (act > RELU) activate(dst, total, filters, act);
}

/** Filters from `from` to `filters` of one conv2d output pixel, one at a time (fewer than 4 left). */
function convPixelTail(
  p: usize,
  y: usize,
  fp: usize,
  from: i32,
  kernel: usize,
  bias: usize,
  filters: i32,
  winBytes: usize,
  rowStride: usize,
  seg: usize,
  fuse: i32,
): void {
  const outRow = (<usize>filters) << 2;
  for (let f = from; f < filters; f++) {
    const fo = (<usize>f) << 2;
    let a = load<f32>(bias + fo);
    let wq = kernel + fo;
    for (let u: usize = 0; u < winBytes; u += rowStride) {
      const end = u + seg;
      for (let t = u; t < end; t += 4) {
        a += load<f32>(p + t) * load<f32>(wq);
        wq += outRow;
      }
    }
    a = fusedScalar(a, fuse);
    if (fp !== 0) a = load<f32>(fp + fo) * a + load<f32>(fp + outRow + fo);
    store<f32>(y + fo, a);
  }
}

/**
 * Max or average pooling of n maps src [h × w × c] into dst [n × oh × ow × c]: window (i, j) covers
 * rows i·sh − ph … + kh and columns j·sw − pw … + kw, clipped to the map; the average divides by
 * the number of cells inside the map.
 */
export function pool2d(
  src: usize,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  dst: usize,
  oh: i32,
  ow: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  isMax: i32,
): void {
  const cell = (<usize>c) << 2;
  const rowBytes = <usize>w * cell;
  const mapBytes = <usize>h * rowBytes;
  const vecEnd = cell & ~(<usize>15);
  let d = dst;
  for (let m = 0; m < n; m++) {
    const map = src + <usize>m * mapBytes;
    for (let i = 0; i < oh; i++) {
      const y0 = max<i32>(i * sh - ph, 0);
      const y1 = min<i32>(i * sh - ph + kh, h);
      for (let j = 0; j < ow; j++) {
        const x0 = max<i32>(j * sw - pw, 0);
        const x1 = min<i32>(j * sw - pw + kw, w);
        const inv: f32 = 1 / <f32>((y1 - y0) * (x1 - x0));
        let k: usize = 0;
        for (; k < vecEnd; k += 16) {
          let acc = isMax ? f32x4.splat(-Infinity) : f32x4.splat(0);
          for (let y = y0; y < y1; y++) {
            const r = map + <usize>y * rowBytes + k;
            for (let x = x0; x < x1; x++) {
              const v = v128.load(r + <usize>x * cell);
              acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          v128.store(d + k, isMax ? acc : f32x4.mul(acc, f32x4.splat(inv)));
        }
        for (; k < cell; k += 4) {
          let acc: f32 = isMax ? -Infinity : 0;
          for (let y = y0; y < y1; y++) {
            const r = map + <usize>y * rowBytes + k;
            for (let x = x0; x < x1; x++) {
              const v = load<f32>(r + <usize>x * cell);
              acc = isMax ? Mathf.max(acc, v) : acc + v;
            }
          }
          store<f32>(d + k, isMax ? acc : acc * inv);
        }
        d += cell;
      }
    }
  }
}

/**
 * FiLM in place on n maps x [hw × c]: x = γ[m, ch]·x + β[m, ch], with the row [γ (c) | β (c)] of
 * sample m at gb + m·8·c.
 */
export function film(x: usize, n: i32, hw: i32, c: i32, gb: usize): void {
  const cell = (<usize>c) << 2;
  const vecEnd = cell & ~(<usize>15);
  let p = x;
  for (let m = 0; m < n; m++) {
    const g = gb + <usize>m * (cell << 1);
    const b = g + cell;
    for (let k = 0; k < hw; k++) {
      let o: usize = 0;
      for (; o < vecEnd; o += 16) {
        v128.store(p + o, f32x4.add(f32x4.mul(v128.load(g + o), v128.load(p + o)), v128.load(b + o)));
      }
      for (; o < cell; o += 4) store<f32>(p + o, load<f32>(g + o) * load<f32>(p + o) + load<f32>(b + o));
      p += cell;
    }
  }
}

/** Per-channel affine in place on `cells` cells of c channels: x = a[ch]·x + b[ch]. */
export function affine(x: usize, cells: i32, c: i32, a: usize, b: usize): void {
  const cell = (<usize>c) << 2;
  const vecEnd = cell & ~(<usize>15);
  let p = x;
  for (let k = 0; k < cells; k++) {
    let o: usize = 0;
    for (; o < vecEnd; o += 16) {
      v128.store(p + o, f32x4.add(f32x4.mul(v128.load(a + o), v128.load(p + o)), v128.load(b + o)));
    }
    for (; o < cell; o += 4) store<f32>(p + o, load<f32>(a + o) * load<f32>(p + o) + load<f32>(b + o));
    p += cell;
  }
}

/** Global average pooling: dst[m, ch] = Σ_k x[m, k, ch] / hw for n maps [hw × c]. */
export function meanPool(src: usize, n: i32, hw: i32, c: i32, dst: usize): void {
  const cell = (<usize>c) << 2;
  const inv: f32 = 1 / <f32>hw;
  let p = src;
  for (let m = 0; m < n; m++) {
    const d = dst + <usize>m * cell;
    for (let o: usize = 0; o < cell; o += 4) store<f32>(d + o, 0);
    for (let k = 0; k < hw; k++) {
      for (let o: usize = 0; o < cell; o += 4) store<f32>(d + o, load<f32>(d + o) + load<f32>(p + o));
      p += cell;
    }
    for (let o: usize = 0; o < cell; o += 4) store<f32>(d + o, load<f32>(d + o) * inv);
  }
}

/** dst row m = [a row m (aw values) | b row m (bw values)] for n rows. */
export function concatRows(a: usize, aw: i32, b: usize, bw: i32, dst: usize, n: i32): void {
  const aBytes = (<usize>aw) << 2;
  const bBytes = (<usize>bw) << 2;
  let d = dst;
  for (let m = 0; m < n; m++) {
    copyFloats(d, a + <usize>m * aBytes, aBytes);
    copyFloats(d + aBytes, b + <usize>m * bBytes, bBytes);
    d += aBytes + bBytes;
  }
}

/**
 * Tree ensemble sum over a block of rows, tree by tree: acc[r·K + k_t] += leaf_t(x_r) for every
 * tree t, rows r < rows of x (row-major, d float32). Each tree's record in `trees` (16 bytes) is
 * [address of its root, its depth, k_t·8, 0]. A node (16 bytes) is [byte offset of its feature in a
 * row (i32), address of its left child (i32), threshold (f64)]; the right child follows the left
 * one, and x < threshold (compared in f64, NaN false) goes left. A leaf points at itself: offset 0,
 * left = its own address − 16, threshold −∞, so every row takes exactly `depth` steps, without a
 * branch; the leaf's value (f64) lies at values + (address − nodes)/2. Rows go eight at a time
 * (independent chains of loads). Sums run in the order of the trees, in f64, as a plain walk does.
 */
export function gbdtSum(
  trees: usize,
  T: i32,
  nodes: usize,
  values: usize,
  x: usize,
  rows: i32,
  d: i32,
  acc: usize,
  K: i32,
): void {
  const rowBytes = (<usize>d) << 2;
  const accRow = (<usize>K) << 3;
  const valueAt = values - (nodes >> 1);
  for (let t = 0; t < T; t++) {
    const rec = trees + ((<usize>t) << 4);
    const root = <usize>load<u32>(rec);
    const depth = load<i32>(rec, 4);
    const ko = <usize>load<u32>(rec, 8);
    let r = 0;
    let x0 = x;
    let a0 = acc + ko;
    for (; r + 8 <= rows; r += 8) {
      const x1 = x0 + rowBytes;
      const x2 = x1 + rowBytes;
      const x3 = x2 + rowBytes;
      const x4 = x3 + rowBytes;
      const x5 = x4 + rowBytes;
      const x6 = x5 + rowBytes;
      const x7 = x6 + rowBytes;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      let n4 = root;
      let n5 = root;
      let n6 = root;
      let n7 = root;
      for (let s = 0; s < depth; s++) {
        n0 = <usize>load<u32>(n0, 4) + (u32(!(<f64>load<f32>(x0 + <usize>load<u32>(n0)) < load<f64>(n0, 8))) << 4);
        n1 = <usize>load<u32>(n1, 4) + (u32(!(<f64>load<f32>(x1 + <usize>load<u32>(n1)) < load<f64>(n1, 8))) << 4);
        n2 = <usize>load<u32>(n2, 4) + (u32(!(<f64>load<f32>(x2 + <usize>load<u32>(n2)) < load<f64>(n2, 8))) << 4);
        n3 = <usize>load<u32>(n3, 4) + (u32(!(<f64>load<f32>(x3 + <usize>load<u32>(n3)) < load<f64>(n3, 8))) << 4);
        n4 = <usize>load<u32>(n4, 4) + (u32(!(<f64>load<f32>(x4 + <usize>load<u32>(n4)) < load<f64>(n4, 8))) << 4);
        n5 = <usize>load<u32>(n5, 4) + (u32(!(<f64>load<f32>(x5 + <usize>load<u32>(n5)) < load<f64>(n5, 8))) << 4);
        n6 = <usize>load<u32>(n6, 4) + (u32(!(<f64>load<f32>(x6 + <usize>load<u32>(n6)) < load<f64>(n6, 8))) << 4);
        n7 = <usize>load<u32>(n7, 4) + (u32(!(<f64>load<f32>(x7 + <usize>load<u32>(n7)) < load<f64>(n7, 8))) << 4);
      }
      const a1 = a0 + accRow;
      const a2 = a1 + accRow;
      const a3 = a2 + accRow;
      const a4 = a3 + accRow;
      const a5 = a4 + accRow;
      const a6 = a5 + accRow;
      const a7 = a6 + accRow;
      store<f64>(a0, load<f64>(a0) + load<f64>(valueAt + (n0 >> 1)));
      store<f64>(a1, load<f64>(a1) + load<f64>(valueAt + (n1 >> 1)));
      store<f64>(a2, load<f64>(a2) + load<f64>(valueAt + (n2 >> 1)));
      store<f64>(a3, load<f64>(a3) + load<f64>(valueAt + (n3 >> 1)));
      store<f64>(a4, load<f64>(a4) + load<f64>(valueAt + (n4 >> 1)));
      store<f64>(a5, load<f64>(a5) + load<f64>(valueAt + (n5 >> 1)));
      store<f64>(a6, load<f64>(a6) + load<f64>(valueAt + (n6 >> 1)));
      store<f64>(a7, load<f64>(a7) + load<f64>(valueAt + (n7 >> 1)));
      x0 = x7 + rowBytes;
      a0 = a7 + accRow;
    }
    // The last rows one by one, each stopping at its leaf (a leaf's left child is itself − 16).
    for (; r < rows; r++) {
      let n0 = root;
      for (;;) {
        const left = <usize>load<u32>(n0, 4);
        if (left + 16 === n0) break;
        n0 = left + (u32(!(<f64>load<f32>(x0 + <usize>load<u32>(n0)) < load<f64>(n0, 8))) << 4);
      }
      store<f64>(a0, load<f64>(a0) + load<f64>(valueAt + (n0 >> 1)));
      x0 += rowBytes;
      a0 += accRow;
    }
  }
}
