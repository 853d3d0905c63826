/**
 * The committed kernels are the build of their source: `kernels.wasm` and its base64 copy
 * `kernels-wasm.ts` must be, byte for byte, what asc makes of `packages/models/kernels/kernels.ts`
 * with the build script's flags. After editing the kernels, run `pnpm --filter @hepml/models build:wasm`.
 */
import { describe, expect, it } from 'vitest';
import { committedKernels, compileKernels, kernelsWasmModule } from '../../../scripts/build-wasm.ts';

describe('the committed wasm kernels', () => {
  it('rebuild byte for byte from kernels/kernels.ts', { timeout: 120_000 }, async () => {
    const built = await compileKernels();
    const { wasm, module } = committedKernels();
    const rebuild = 'stale: run `pnpm --filter @hepml/models build:wasm` and commit the outputs';
    expect(Buffer.from(wasm).equals(Buffer.from(built)), `kernels.wasm is ${rebuild}`).toBe(true);
    expect(module, `kernels-wasm.ts is ${rebuild}`).toBe(kernelsWasmModule(built));
  });
});
