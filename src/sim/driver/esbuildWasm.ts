// esbuild's WebAssembly build, run in-process. The .vsix is one package for every platform, so the
// driver compiler cannot be a native binary; and esbuild-wasm's Node entry spawns `node` as a child
// process, which an editor's extension host may not have on its PATH. Its browser entry runs the
// same compiler in this process from the .wasm file, so that is what we load: from dist/esbuild-wasm
// (copied there by scripts/build.mjs) when running bundled, from node_modules otherwise.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';

/** The part of esbuild's API the loader uses (a subset of esbuild-wasm's own typings). */
export interface EsbuildApi {
  initialize(options: { wasmModule: WebAssembly.Module; worker: boolean }): Promise<void>;
  /** Ends the service; in this thread (worker: false), clears the timers its Go runtime left. */
  stop(): void;
  build(options: Record<string, unknown>): Promise<{
    outputFiles?: { path: string; text: string }[];
    errors: EsbuildMessage[];
    warnings: EsbuildMessage[];
  }>;
}

export interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText: string } | null;
}

/** Where esbuild-wasm's browser.js and esbuild.wasm are, first match wins. */
function candidates(): { js: string; wasm: string }[] {
  const out = [{ js: join(__dirname, 'esbuild-wasm', 'browser.js'), wasm: join(__dirname, 'esbuild-wasm', 'esbuild.wasm') }];
  try {
    const pkg = dirname(createRequire(__filename).resolve('esbuild-wasm/package.json'));
    out.push({ js: join(pkg, 'lib', 'browser.js'), wasm: join(pkg, 'esbuild.wasm') });
  } catch {
    // Not installed next to us: only the bundled copy can work.
  }
  return out;
}

/** The esbuild files this process compiles with (undefined: none found), without starting it. */
export function compilerFiles(): { js: string; wasm: string } | undefined {
  return candidates().find((c) => existsSync(c.js) && existsSync(c.wasm));
}

let ready: Promise<EsbuildApi> | undefined;

/** esbuild, initialized once per process. */
export function esbuild(): Promise<EsbuildApi> {
  ready ??= (async () => {
    const found = compilerFiles();
    if (!found) {
      throw new Error(
        'cannot find esbuild-wasm (dist/esbuild-wasm/ or node_modules/esbuild-wasm): run `npm run build`',
      );
    }
    const module = { exports: {} as Record<string, unknown> };
    // browser.js expects a `self`; give it this process's global object as a local binding rather
    // than defining a global `self` that would make other code think it runs in a browser.
    const factory = new Function('module', 'exports', 'require', 'self', readFileSync(found.js, 'utf8'));
    factory(module, module.exports, createRequire(found.js), globalThis);
    const api = module.exports as unknown as EsbuildApi;
    await api.initialize({ wasmModule: new WebAssembly.Module(readFileSync(found.wasm)), worker: false });
    return api;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/**
 * Stops esbuild if it was started (the next compile starts it again). Its Go runtime leaves a timer
 * behind each build that holds a process open about a quarter of a second after its last compile:
 * the command line calls this when its command is done, so it exits at once.
 */
export async function stopCompiler(): Promise<void> {
  const started = ready;
  if (!started) return;
  ready = undefined;
  try {
    (await started).stop();
  } catch {
    // It never started: nothing to stop.
  }
}
