/**
 * The wasm plan of a compiled `cnn-film` model (Workers-safe): every layer on blocks of
 * {@link CNN_BLOCK} rows in the wasm kernels' memory, convolutions as one implicit GEMM
 * (kernels/kernels.ts `conv2d`) with bias, relu and a following FiLM fused.
 */
import { at } from '@hepml/physics';
import type { CnnFilmArchitectureV1 } from '../bundle/cnn-film.ts';
import type { Compiled, TrunkOp } from './cnn-film-compile.ts';
import { packDenseChain } from './mlp.ts';
import { WASM_ACTIVATION, type WasmArena, type WasmKernels } from './wasm-kernels.ts';

/**
 * Rows per block on the wasm kernels: the block's maps (about 8 kB per row for the default trunk,
 * 7 × 11 × 4 image) stay in the L2 cache from layer to layer.
 */
export const CNN_BLOCK = 32;

/** The wasm plan of a runner: where a block's inputs go, and the layers as calls on `rows` ≤ CNN_BLOCK rows. */
export interface WasmPlan {
  /** Standardised scalars [CNN_BLOCK × inputSize]. */
  scalars: number;
  /** Images [CNN_BLOCK × imageSize] (divided by imageScale unless folded). */
  image: number;
  /** Runs the trunk and the head on the block; returns the address of the outputs [rows × outputs]. */
  run(rows: number): number;
}

/** {@link planWasm} in a scope of its own, whose memory returns to the kernels once the plan is collected. */
export function planWasmReleased(
  compiled: Compiled,
  arch: CnnFilmArchitectureV1,
  imageSize: number,
  k: WasmKernels,
): WasmPlan {
  const scope = k.scope();
  const plan = planWasm(compiled, arch, imageSize, scope);
  k.releaseWhenCollected(plan, scope);
  return plan;
}

/**
 * Lays the trunk and the head out in wasm memory for blocks of CNN_BLOCK rows: weights copied
 * once, maps ping-ponged between two buffers, a zero-bordered buffer per padded convolution (only
 * its interior is ever written, so the border stays zero), FiLM γ and β heads merged into one
 * dense layer of 2c units. A FiLM right after a convolution with relu or linear activation is
 * fused into the convolution's store.
 */
function planWasm(compiled: Compiled, arch: CnnFilmArchitectureV1, imageSize: number, k: WasmArena): WasmPlan {
  const x = k.exports;
  const B = CNN_BLOCK;
  const upload = (values: Float32Array): number => {
    const at = k.alloc(values.length);
    k.heap().set(values, at / 4);
    return at;
  };
  const scalars = k.alloc(B * arch.inputSize);
  const width = Math.max(compiled.widest, imageSize);
  const mapA = k.alloc(B * width);
  const mapB = k.alloc(B * width);
  const steps: ((rows: number) => void)[] = [];
  let cur = mapA;
  const filmGenerator = (op: Extract<TrunkOp, { kind: 'film' }>): ((rows: number) => number) => {
    const { gamma, beta, c } = op;
    const kernel = new Float32Array(gamma.fanIn * 2 * c);
    for (let i = 0; i < gamma.fanIn; i++) {
      kernel.set(gamma.kernel.subarray(i * c, (i + 1) * c), i * 2 * c);
      kernel.set(beta.kernel.subarray(i * c, (i + 1) * c), i * 2 * c + c);
    }
    const bias = new Float32Array(2 * c);
    bias.set(gamma.bias);
    bias.set(beta.bias, c);
    const chain = packDenseChain(
      k,
      [...op.hidden, { fanIn: gamma.fanIn, units: 2 * c, kernel, bias, activation: 'linear' }],
      arch.inputSize,
    );
    return (rows) => chain.run(scalars, rows);
  };
  const { trunk } = compiled;
  for (let i = 0; i < trunk.length; i++) {
    const op = at(trunk, i);
    const src = cur;
    const dst = cur === mapA ? mapB : mapA;
    switch (op.kind) {
      case 'conv': {
        const { h, w, c, oh, ow, filters, kh, kw, sh, sw, ph, pw } = op;
        const hp = Math.max((oh - 1) * sh + kh, ph + h);
        const wp = Math.max((ow - 1) * sw + kw, pw + w);
        const kernel = upload(op.kernel);
        const bias = upload(op.bias);
        const act = WASM_ACTIVATION[op.activation];
        const next = trunk[i + 1];
        const film = next?.kind === 'film' && act <= WASM_ACTIVATION.relu ? filmGenerator(next) : null;
        if (film) i++;
        let from = src;
        if (hp !== h || wp !== w) {
          const padded = k.alloc(B * hp * wp * c);
          k.heap().fill(0, padded / 4, padded / 4 + B * hp * wp * c);
          steps.push((rows) => x.padMaps(src, rows, h, w, c, padded, hp, wp, ph, pw));
          from = padded;
        }
        steps.push((rows) =>
          x.conv2d(
            from,
            rows,
            hp,
            wp,
            c,
            kernel,
            bias,
            filters,
            kh,
            kw,
            sh,
            sw,
            oh,
            ow,
            dst,
            act,
            film ? film(rows) : 0,
          ),
        );
        cur = dst;
        break;
      }
      case 'affine': {
        const { size, c } = op;
        const scale = upload(op.scale);
        const shift = upload(op.shift);
        steps.push((rows) => x.affine(src, (rows * size) / c, c, scale, shift));
        break;
      }
      case 'activation': {
        const { size } = op;
        const act = WASM_ACTIVATION[op.activation];
        steps.push((rows) => x.activate(src, rows, size, act));
        break;
      }
      case 'pool': {
        const { h, w, c, oh, ow, kh, kw, sh, sw, ph, pw } = op;
        const max = op.max ? 1 : 0;
        steps.push((rows) => x.pool2d(src, rows, h, w, c, dst, oh, ow, kh, kw, sh, sw, ph, pw, max));
        cur = dst;
        break;
      }
      case 'film': {
        const { size, c } = op;
        const film = filmGenerator(op);
        steps.push((rows) => x.film(src, rows, size / c, c, film(rows)));
        break;
      }
      case 'gap': {
        const { hw, c } = op;
        steps.push((rows) => x.meanPool(src, rows, hw, c, dst));
        cur = dst;
        break;
      }
      case 'flatten':
        break;
    }
  }
  const features = cur;
  const headWidth = compiled.features + (arch.concatScalars ? arch.inputSize : 0);
  const head = packDenseChain(k, compiled.head, headWidth);
  const headInput = arch.concatScalars ? k.alloc(B * headWidth) : features;
  return {
    scalars,
    image: mapA,
    run(rows) {
      for (const step of steps) step(rows);
      if (arch.concatScalars) x.concatRows(features, compiled.features, scalars, arch.inputSize, headInput, rows);
      return head.run(headInput, rows);
    },
  };
}
