/**
 * The trunk ops of a compiled `cnn-film` model on TypeScript loops, one sample at a time in
 * preallocated buffers (Workers-safe): direct convolution over the window (zero padding), pooling
 * over the cells inside the map, FiLM γ[c]·x + β[c] with γ, β from the row's standardised scalars.
 */
import { at } from '@hepml/physics';
import { applyActivation, denseRow } from './activations.ts';
import type { TrunkOp } from './cnn-film-compile.ts';

/** Ops that write into `dst`; the others work in place on `src`. */
export function writesNew(op: TrunkOp): boolean {
  return op.kind === 'conv' || op.kind === 'pool' || op.kind === 'gap';
}

/** Runs one op on src (into dst for those that {@link writesNew}). */
export function runOp(
  op: TrunkOp,
  src: Float32Array,
  dst: Float32Array,
  scalars: Float32Array,
  vecA: Float32Array,
  vecB: Float32Array,
): void {
  switch (op.kind) {
    case 'conv':
      conv2d(op, src, dst);
      return;
    case 'affine': {
      const { size, c, scale, shift } = op;
      for (let k = 0; k < size; k++) {
        const ch = k % c;
        src[k] = at(src, k) * at(scale, ch) + at(shift, ch);
      }
      return;
    }
    case 'activation':
      applyActivation(src, 0, op.size, op.activation);
      return;
    case 'pool':
      pool(op, src, dst);
      return;
    case 'film': {
      let x = scalars;
      let y = vecA;
      for (const l of op.hidden) {
        denseRow(x, 0, y, 0, l);
        x = y;
        y = y === vecA ? vecB : vecA;
      }
      // γ into y, β into the third buffer slot: reuse dst (free during in-place ops) for β.
      denseRow(x, 0, y, 0, op.gamma);
      denseRow(x, 0, dst, 0, op.beta);
      const { size, c } = op;
      for (let k = 0; k < size; k++) {
        const ch = k % c;
        src[k] = at(y, ch) * at(src, k) + at(dst, ch);
      }
      return;
    }
    case 'gap': {
      const { hw, c } = op;
      for (let ch = 0; ch < c; ch++) dst[ch] = 0;
      for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) dst[ch] = at(dst, ch) + at(src, p * c + ch);
      for (let ch = 0; ch < c; ch++) dst[ch] = at(dst, ch) / hw;
      return;
    }
    case 'flatten':
      return;
  }
}

function conv2d(op: Extract<TrunkOp, { kind: 'conv' }>, src: Float32Array, dst: Float32Array): void {
  const { h, w, c, oh, ow, filters, kh, kw, sh, sw, ph, pw, kernel, bias } = op;
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const yo = (i * ow + j) * filters;
      for (let o = 0; o < filters; o++) dst[yo + o] = at(bias, o);
      for (let u = 0; u < kh; u++) {
        const y = i * sh + u - ph;
        if (y < 0 || y >= h) continue;
        for (let v = 0; v < kw; v++) {
          const x = j * sw + v - pw;
          if (x < 0 || x >= w) continue;
          const xo = (y * w + x) * c;
          const ko = (u * kw + v) * c * filters;
          for (let ch = 0; ch < c; ch++) {
            const val = at(src, xo + ch);
            if (val === 0) continue;
            const kc = ko + ch * filters;
            for (let o = 0; o < filters; o++) dst[yo + o] = at(dst, yo + o) + val * at(kernel, kc + o);
          }
        }
      }
      applyActivation(dst, yo, filters, op.activation);
    }
  }
}

function pool(op: Extract<TrunkOp, { kind: 'pool' }>, src: Float32Array, dst: Float32Array): void {
  const { h, w, c, oh, ow, kh, kw, sh, sw, ph, pw, max } = op;
  for (let i = 0; i < oh; i++) {
    const y0 = Math.max(i * sh - ph, 0);
    const y1 = Math.min(i * sh - ph + kh, h);
    for (let j = 0; j < ow; j++) {
      const x0 = Math.max(j * sw - pw, 0);
      const x1 = Math.min(j * sw - pw + kw, w);
      const yo = (i * ow + j) * c;
      for (let ch = 0; ch < c; ch++) {
        let acc = max ? Number.NEGATIVE_INFINITY : 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const v = at(src, (y * w + x) * c + ch);
            acc = max ? Math.max(v, acc) : acc + v;
          }
        }
        dst[yo + ch] = max ? acc : acc / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}
