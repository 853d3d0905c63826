import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { missingGradientKernels, registerWasmGradientKernels } from './tfjs-wasm-gradients.ts';

function randomArray(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

async function convFilterGradient(
  backend: string,
  xs: Float32Array,
  ks: Float32Array,
  shape: { x: [number, number, number, number]; k: [number, number, number, number] },
  strides: [number, number],
  pad: 'same' | 'valid',
): Promise<Float32Array> {
  await tf.setBackend(backend);
  await tf.ready();
  const x = tf.tensor4d(xs, shape.x);
  const k = tf.tensor4d(ks, shape.k);
  // d/dK Σ conv(x, K)·w with a fixed non-uniform w, so every output position matters differently.
  const g = tf.grad((kernel: tf.Tensor) => {
    const y = tf.conv2d(x, kernel as tf.Tensor4D, strides, pad);
    return tf.sum(tf.mul(y, tf.range(0, y.size).reshape(y.shape).mul(0.01).sin()));
  })(k);
  const out = (await g.data()) as Float32Array;
  tf.dispose([x, k, g]);
  return out;
}

async function convInputGradient(
  backend: string,
  xs: Float32Array,
  ks: Float32Array,
  shape: { x: [number, number, number, number]; k: [number, number, number, number] },
  strides: [number, number],
  pad: 'same' | 'valid',
): Promise<Float32Array> {
  await tf.setBackend(backend);
  await tf.ready();
  const x = tf.tensor4d(xs, shape.x);
  const k = tf.tensor4d(ks, shape.k);
  const g = tf.grad((input: tf.Tensor) => {
    const y = tf.conv2d(input as tf.Tensor4D, k, strides, pad);
    return tf.sum(tf.mul(y, tf.range(0, y.size).reshape(y.shape).mul(0.01).sin()));
  })(x);
  const out = (await g.data()) as Float32Array;
  tf.dispose([x, k, g]);
  return out;
}

describe('wasm gradient kernels', () => {
  it('the stock wasm backend lacks Conv2DBackpropFilter; after registration it has it', async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    registerWasmGradientKernels();
    expect(missingGradientKernels('wasm', ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad'])).toEqual([]);
    expect(missingGradientKernels('wasm', ['NoSuchKernel'])).toEqual(['NoSuchKernel']);
  });

  for (const [strides, pad] of [
    [[1, 1], 'same'],
    [[1, 1], 'valid'],
    [[2, 1], 'valid'],
    [[2, 2], 'same'],
  ] as const) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput equal the cpu backend's (strides ${strides}, ${pad})`, async () => {
      const rng = new Rng(7);
      const shape = { x: [3, 7, 11, 4], k: [3, 3, 4, 5] } as {
        x: [number, number, number, number];
        k: [number, number, number, number];
      };
      const xs = randomArray(3 * 7 * 11 * 4, rng);
      const ks = randomArray(3 * 3 * 4 * 5, rng);
      const cpu = await convFilterGradient('cpu', xs, ks, shape, [...strides], pad);
      registerWasmGradientKernels();
      const wasm = await convFilterGradient('wasm', xs, ks, shape, [...strides], pad);
      const cpuInput = await convInputGradient('cpu', xs, ks, shape, [...strides], pad);
      const wasmInput = await convInputGradient('wasm', xs, ks, shape, [...strides], pad);
      for (let i = 0; i < cpuInput.length; i++) {
        expect(Math.abs((wasmInput[i] as number) - (cpuInput[i] as number))).toBeLessThan(1e-4);
      }
      expect(wasm.length).toBe(cpu.length);
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < cpu.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((wasm[i] as number) - (cpu[i] as number)));
        maxAbs = Math.max(maxAbs, Math.abs(cpu[i] as number));
      }
      expect(maxAbs).toBeGreaterThan(0.1);
      expect(maxDiff / maxAbs).toBeLessThan(1e-5);
    });
  }
});
