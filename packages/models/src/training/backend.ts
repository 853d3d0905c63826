import * as tf from '@tensorflow/tfjs';
import { registerWasmGradientKernels } from './tfjs-wasm-gradients.ts';

/** Backends `pnpm train --backend` accepts. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** What {@link selectBackend} took and why. */
export interface BackendSelection {
  name: string;
  reason: string;
}

async function tryImport(specifier: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the fastest TensorFlow.js backend that loads here. `auto` tries, in order: native
 * TensorFlow (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, optional packages the user
 * may install; never required), WebGPU when an adapter exists, WebAssembly (SIMD), then the plain
 * JavaScript cpu backend. An explicit choice that cannot load is an error, not a silent fallback.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendSelection> {
  const attempts: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      if ((await tryImport(pkg)) && (await tf.setBackend('tensorflow'))) {
        await tf.ready();
        return { name: 'tensorflow', reason: `${pkg} is installed (native TensorFlow)` };
      }
      attempts.push(`${pkg} not installed`);
    }
    if (choice === 'tensorflow') throw new Error(`backend tensorflow unavailable: ${attempts.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (adapter && (await tryImport('@tensorflow/tfjs-backend-webgpu')) && (await tf.setBackend('webgpu'))) {
      await tf.ready();
      return { name: 'webgpu', reason: 'a WebGPU adapter is available' };
    }
    attempts.push(gpu ? 'WebGPU: no adapter or no @tensorflow/tfjs-backend-webgpu' : 'WebGPU: navigator.gpu absent');
    if (choice === 'webgpu') throw new Error(`backend webgpu unavailable: ${attempts.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        const added = registerWasmGradientKernels();
        const note = added.length > 0 ? ` (registered the missing ${added.join(', ')} gradient kernel)` : '';
        return { name: 'wasm', reason: `${attempts.join('; ')}; WebAssembly backend loaded${note}` };
      }
      attempts.push('wasm: setBackend failed');
    } catch (err) {
      attempts.push(`wasm: ${(err as Error).message}`);
    }
    if (choice === 'wasm') throw new Error(`backend wasm unavailable: ${attempts.join('; ')}`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', reason: choice === 'cpu' ? 'requested' : `${attempts.join('; ')}; plain JavaScript` };
}

/** What {@link prepareConvTraining} did: the backend a CNN trains on, and how to undo a fallback. */
export interface ConvTrainingBackend {
  /** Backend name for the lineage, with the reason when it differs from the selected one. */
  backend: string;
  restore: () => Promise<void>;
}

/**
 * Makes the current backend able to train a 2-D convolution, or falls back to cpu for this model:
 * on wasm the missing `Conv2DBackpropFilter` is registered ({@link registerWasmGradientKernels}),
 * then a tiny convolution's filter gradient is taken as a probe for each of the model's conv
 * strides; if that throws, the cpu backend
 * is used until `restore()`, and the reason is printed on stderr and returned.
 */
export async function prepareConvTraining(
  strides: readonly [number, number][] = [[1, 1]],
): Promise<ConvTrainingBackend> {
  const previous = tf.getBackend();
  if (previous === 'wasm') registerWasmGradientKernels();
  try {
    for (const s of strides) {
      tf.tidy(() => {
        const x = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
        const g = tf.grad((k: tf.Tensor) => tf.sum(tf.conv2d(x, k as tf.Tensor4D, s, 'same')))(tf.ones([3, 3, 1, 1]));
        g.dataSync();
      });
    }
    return { backend: previous, restore: async () => {} };
  } catch (err) {
    const reason = `${previous} cannot train a convolution (${(err as Error).message}); this model trains on cpu`;
    process.stderr.write(`train: ${reason}\n`);
    await tf.setBackend('cpu');
    await tf.ready();
    return {
      backend: `cpu (fallback: ${reason})`,
      restore: async () => {
        await tf.setBackend(previous);
        await tf.ready();
      },
    };
  }
}
