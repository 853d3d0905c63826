/** `.wasm` imports: wrangler (and vitest-pool-workers) bundle them as precompiled modules. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
