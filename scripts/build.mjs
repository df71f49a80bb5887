// Bundles every shipped program with esbuild. The entry points below are stable paths that the
// extension manifest, the tests and other DAP/LSP clients rely on; add to the list, never rename.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
// --quiet: only warnings and errors (used when `npm start` rebuilds stale bundles before a run).
const logLevel = process.argv.includes('--quiet') ? 'warning' : 'info';

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel,
};

/** Node programs: [entry, output]. */
const nodePrograms = [
  ['src/extension/main.ts', 'dist/extension.js'],
  ['src/debugger/main.ts', 'dist/debugAdapter.js'],
  ['src/language/main.ts', 'dist/server.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
].filter(([entry]) => existsSync(entry));

/** Webview scripts run in the browser inside VS Code's webview iframe. */
const browserScripts = [
  ['media/src/vramView.ts', 'dist/media/vramView.js'],
].filter(([entry]) => existsSync(entry));

const configs = [
  ...nodePrograms.map(([entry, outfile]) => ({
    ...node,
    entryPoints: [entry],
    outfile,
    // tsx is only resolved when a worker runs TypeScript sources directly (tests), never from a bundle.
    external: ['vscode', 'esbuild-wasm', 'tsx/cjs'],
    banner: outfile === 'dist/cli.js' ? { js: '#!/usr/bin/env node' } : undefined,
  })),
  ...browserScripts.map(([entry, outfile]) => ({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: 'linked',
    logLevel,
    entryPoints: [entry],
    outfile,
  })),
];

mkdirSync('dist', { recursive: true });
if (existsSync('media/vramView.css')) cpSync('media/vramView.css', 'dist/media/vramView.css');
// Drivers are compiled at run time by esbuild's WebAssembly build, run in-process from its browser
// entry (src/sim/driver/esbuildWasm.ts); it stays external to the bundles, so ship its two files.
mkdirSync('dist/esbuild-wasm', { recursive: true });
cpSync('node_modules/esbuild-wasm/lib/browser.js', 'dist/esbuild-wasm/browser.js');
cpSync('node_modules/esbuild-wasm/esbuild.wasm', 'dist/esbuild-wasm/esbuild.wasm');
cpSync('node_modules/esbuild-wasm/LICENSE.md', 'dist/esbuild-wasm/LICENSE.md');
// The driver typings are generated from the DDI contract and the opcode table: refresh them when
// either changed (a test checks they are current).
{
  const typings = 'types/paging-lab-ddi.d.ts';
  const sources = ['src/sim/ddi', 'src/isa'].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`));
  const stamp = existsSync(typings) ? statSync(typings).mtimeMs : 0;
  if (sources.some((f) => statSync(f).mtimeMs > stamp)) {
    const { generate } = await import('./gen-ddi-types.mjs');
    const text = generate();
    if (!existsSync(typings) || readFileSync(typings, 'utf8') !== text) writeFileSync(typings, text);
    else utimesSync(typings, new Date(), new Date());
  }
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${configs.length} bundles`);
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
}
