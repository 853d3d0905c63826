import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';

// Each test starts without a navigator.gpu (Node 20 has no navigator; Node 22 one without gpu).
const hadNavigator = 'navigator' in globalThis;
afterEach(() => {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (!hadNavigator) delete (globalThis as { navigator?: object }).navigator;
  else if (nav && Object.hasOwn(nav, 'gpu')) delete (nav as { gpu?: unknown }).gpu;
});

describe('selectBackend (issue 22)', () => {
  it('auto tries WebGPU through the webgpu package and falls back to wasm when no adapter exists', async () => {
    // These machines have the package (an optional dependency) but no Vulkan driver with what
    // Dawn needs: requestAdapter() resolves to null (STACK.md).
    const s = await selectBackend('auto');
    expect(s.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(s.reason).toMatch(
      /WebGPU: navigator\.gpu from the webgpu package \(Dawn\), but requestAdapter\(\) gave no adapter/,
    );
    expect(s.reason).toMatch(/WebAssembly backend loaded/);
    // The package's navigator.gpu stays for the rest of the process, where tfjs looks for it.
    expect(typeof (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBe('object');
  }, 30_000);

  it('falls back cleanly when the webgpu package is missing, and says so', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'webgpu'"));
    const s = await selectBackend('auto', { loadWebGpu: missing });
    expect(s.name).toBe('wasm');
    expect(s.reason).toContain("WebGPU: the optional package webgpu is not installed (Cannot find package 'webgpu')");
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  }, 30_000);

  it('an explicit --backend webgpu without an adapter is an error naming the reason, not a fallback', async () => {
    await tf.setBackend('cpu');
    await expect(selectBackend('webgpu')).rejects.toThrow(
      /^backend webgpu unavailable: WebGPU: .*requestAdapter\(\) gave no adapter/,
    );
    expect(tf.getBackend()).toBe('cpu');
  }, 30_000);

  it('cpu when asked', async () => {
    expect(await selectBackend('cpu')).toEqual({ name: 'cpu', reason: 'requested' });
  });
});
