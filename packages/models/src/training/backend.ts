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

/** What {@link selectBackend} needs of the `webgpu` package (Dawn's Node bindings, `create` and `globals`). */
export interface WebGpuModule {
  create(flags: string[]): { requestAdapter(): Promise<unknown> };
  globals: Record<string, unknown>;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Loads the `webgpu` package (default: `import('webgpu')`, an optional dependency); rejects when
   * it is not installed. Tests pass a loader that rejects to see the fallback of a machine without it.
   */
  loadWebGpu?: () => Promise<WebGpuModule>;
}

/**
 * Optional packages are imported by a name held in a variable, so neither the type checker nor a
 * bundler requires them where they failed to install.
 */
const WEBGPU_PACKAGE = 'webgpu';
const TFJS_WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu';
const loadWebGpuPackage = () => import(/* @vite-ignore */ WEBGPU_PACKAGE) as Promise<WebGpuModule>;

type NavigatorGpu = { requestAdapter(): Promise<unknown> };

/**
 * The `navigator.gpu` of this process: the host's when it has one (a browser, Deno), otherwise one
 * made from the `webgpu` package (Dawn): its `globals` (GPUBufferUsage …, which the tfjs WebGPU
 * backend reads) are put on `globalThis` and `create([])` becomes `navigator.gpu` (Node 21+ has a
 * `navigator` without `gpu`: the property is added to it). Undefined, with the reason, when the
 * package cannot be loaded.
 */
async function nodeWebGpu(load: () => Promise<WebGpuModule>): Promise<{ gpu?: NavigatorGpu; reason: string }> {
  const host = globalThis as { navigator?: { gpu?: NavigatorGpu } };
  if (host.navigator?.gpu) return { gpu: host.navigator.gpu, reason: 'navigator.gpu of the host' };
  let mod: WebGpuModule;
  try {
    mod = await load();
  } catch (err) {
    return { reason: `the optional package webgpu is not installed (${(err as Error).message.split('\n')[0]})` };
  }
  let gpu: NavigatorGpu;
  try {
    gpu = mod.create([]);
  } catch (err) {
    return { reason: `webgpu create([]) failed (${(err as Error).message})` };
  }
  Object.assign(globalThis, mod.globals);
  if (host.navigator) Object.defineProperty(host.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return { gpu, reason: 'navigator.gpu from the webgpu package (Dawn)' };
}

/**
 * Picks the fastest TensorFlow.js backend that loads here. `auto` tries, in order: native
 * TensorFlow (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, optional packages the user
 * may install; never required), WebGPU when an adapter exists (`navigator.gpu` from the optional
 * `webgpu` package in Node, `requestAdapter()` not null, and the optional
 * `@tensorflow/tfjs-backend-webgpu`), WebAssembly (SIMD), then the plain JavaScript cpu backend.
 * The reason names what each earlier step lacked. An explicit choice that cannot load is an
 * error, not a silent fallback.
 */
export async function selectBackend(
  choice: BackendChoice = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
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
    const why = await webGpuBackend(options.loadWebGpu ?? loadWebGpuPackage);
    if (why.ok) return { name: 'webgpu', reason: why.reason };
    attempts.push(`WebGPU: ${why.reason}`);
    if (choice === 'webgpu') throw new Error(`backend webgpu unavailable: ${attempts.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        const added = registerWasmGradientKernels();
        const note = added.length > 0 ? ` (registered the missing ${added.join(', ')} gradient kernel)` : '';
        return { name: 'wasm', reason: [...attempts, `WebAssembly backend loaded${note}`].join('; ') };
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

/** Sets the tfjs WebGPU backend when an adapter exists; otherwise says what was missing. */
async function webGpuBackend(load: () => Promise<WebGpuModule>): Promise<{ ok: boolean; reason: string }> {
  const { gpu, reason } = await nodeWebGpu(load);
  if (!gpu) return { ok: false, reason };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { ok: false, reason: `${reason}, but requestAdapter() gave no adapter (no GPU or driver)` };
  try {
    await import(/* @vite-ignore */ TFJS_WEBGPU_PACKAGE);
  } catch (err) {
    return {
      ok: false,
      reason: `an adapter exists but @tensorflow/tfjs-backend-webgpu does not load (${(err as Error).message.split('\n')[0]})`,
    };
  }
  if (!(await tf.setBackend('webgpu')))
    return { ok: false, reason: 'an adapter exists but tf.setBackend("webgpu") failed' };
  await tf.ready();
  return { ok: true, reason: `a WebGPU adapter is available (${reason})` };
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
