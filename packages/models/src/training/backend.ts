import * as tf from '@tensorflow/tfjs';

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
        return { name: 'wasm', reason: `${attempts.join('; ')}; WebAssembly backend loaded` };
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
