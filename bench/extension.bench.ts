// Extension benchmark. (1) Activation: dist/extension.js loaded with a fake `vscode` module
// injected through Node's module resolution; counts the API calls `activate` makes and times it,
// against a baseline in the same run that only makes the same number of registration calls.
// (2) The VRAM view at an arbitrary offset of a 1 GiB segment, and its refresh after a step, with
// the webview's pure modules (scroll math, reads into the change tracker, row HTML), against a
// naive formatter of the same visible rows (per-byte toString/padStart, linear overlay and change
// lookups) and the extrapolated cost of rendering every row without virtualisation.

import Module from 'node:module';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { ROOT } from '../test/setup';
import { interleaved, medianMs, row, Suite, timed } from './suite';
import { scrollModel, rowCountFor, windowAtRow } from '../media/src/virtualScroll';
import { ChangeTracker, type RowBytes } from '../media/src/changes';
import { renderRows, sortOverlays, type Overlay } from '../media/src/rows';

// ---- a fake `vscode`: every member is a callable, constructible stub that counts calls ----

interface Fake {
  calls: number;
  byName: Map<string, number>;
  module: unknown;
}

const VSCODE_NAMES = [
  'commands', 'window', 'workspace', 'debug', 'languages', 'env', 'extensions', 'l10n', 'Uri', 'EventEmitter', 'Disposable',
  'TreeItem', 'TreeItemCollapsibleState', 'ThemeIcon', 'MarkdownString', 'DebugAdapterExecutable', 'DebugConfigurationProviderTriggerKind',
  'ViewColumn', 'QuickPickItemKind', 'Range', 'Position', 'Selection', 'CancellationTokenSource', 'RelativePattern', 'FileType',
  'ProgressLocation', 'StatusBarAlignment', 'ConfigurationTarget', 'version',
];

function fakeVscode(): Fake {
  const f: Fake = { calls: 0, byName: new Map(), module: undefined };
  const cache = new Map<string, unknown>();
  const make = (path: string): unknown => {
    const hit = cache.get(path);
    if (hit) return hit;
    const target = function () {} as unknown as object;
    const p: unknown = new Proxy(target, {
      get(_t, key) {
        if (key === 'then') return undefined; // not a promise
        if (key === Symbol.toPrimitive) return () => `fake:${path}`;
        if (key === 'dispose') return () => {};
        if (path === 'vscode' && key === 'version') return '1.100.0';
        if (typeof key === 'symbol') return undefined;
        return make(`${path}.${key}`);
      },
      apply() {
        f.calls++;
        f.byName.set(path, (f.byName.get(path) ?? 0) + 1);
        return make(`${path}()`);
      },
      // esbuild's ESM interop copies the module's own property names: list the API's namespaces.
      ownKeys(t) {
        return path === 'vscode' ? [...new Set([...Reflect.ownKeys(t), ...VSCODE_NAMES])] : Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, key) {
        const own = Reflect.getOwnPropertyDescriptor(t, key);
        if (own || path !== 'vscode' || typeof key !== 'string') return own;
        return { configurable: true, enumerable: true, writable: false, value: make(`vscode.${key}`) };
      },
      construct() {
        f.calls++;
        f.byName.set(`new ${path}`, (f.byName.get(`new ${path}`) ?? 0) + 1);
        return make(`new ${path}`) as object;
      },
    });
    cache.set(path, p);
    return p;
  };
  f.module = make('vscode');
  return f;
}

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;

function withFakeVscode<T>(fake: Fake, fn: () => T): T {
  const m = Module as unknown as { _load: Loader };
  const original = m._load;
  m._load = function (request, parent, isMain) {
    return request === 'vscode' ? fake.module : original.call(this, request, parent, isMain);
  };
  try {
    return fn();
  } finally {
    m._load = original;
  }
}

function freshRequire(path: string): { activate(ctx: unknown): void } {
  const resolved = require.resolve(path);
  delete require.cache[resolved];
  return require(resolved);
}

function context(fake: Fake): unknown {
  const subscriptions: unknown[] = [];
  return { subscriptions, extensionUri: (fake.module as { Uri: { file(p: string): unknown } }).Uri.file(ROOT), extensionPath: ROOT };
}

function activation(): void {
  const bundle = join(ROOT, 'dist', 'extension.js');
  if (!existsSync(bundle)) throw new Error('dist/extension.js is missing: run `node scripts/build.mjs` first.');
  const [load] = interleaved(9, [
    () => {
      const fake = fakeVscode();
      withFakeVscode(fake, () => freshRequire(bundle));
    },
  ]);
  /** A freshly loaded extension on a fresh fake, ready to activate: what activate() costs is timed alone. */
  const prepared = () => {
    const fake = fakeVscode();
    const ext = withFakeVscode(fake, () => freshRequire(bundle));
    return { fake, ext, ctx: context(fake) as { subscriptions: unknown[] } };
  };
  // One activation first, to count the API calls the baseline makes as many of.
  const first = prepared();
  const atLoad = first.fake.calls;
  withFakeVscode(first.fake, () => first.ext.activate(first.ctx));
  const calls = first.fake.calls - atLoad;
  const subscriptions = first.ctx.subscriptions.length;
  // Baseline: `calls` bare registration calls on a fake of their own; taken in turn with activate().
  const baseFake = fakeVscode();
  const reg = (baseFake.module as { commands: { registerCommand(id: string, f: () => void): unknown } }).commands;
  const bare = () => {
    for (let i = 0; i < calls; i++) reg.registerCommand(`x${i}`, () => {});
  };
  // Each activation on an extension loaded for it beforehand (one for the warm-up call, nine timed).
  const ready = Array.from({ length: 10 }, prepared);
  const activateNext = () => {
    const p = ready.pop()!;
    withFakeVscode(p.fake, () => p.ext.activate(p.ctx));
  };
  const [act, baseline] = interleaved(9, [activateNext, bare]);
  const top = [...first.fake.byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  // For scale: the language client library alone (bundled into dist/extension.js and started at activation).
  const lcDir = join(ROOT, 'node_modules', 'vscode-languageclient');
  const [lc] = interleaved(9, [
    () => {
      for (const k of Object.keys(require.cache)) if (k.startsWith(lcDir) || k.includes('vscode-jsonrpc') || k.includes('vscode-languageserver-protocol')) delete require.cache[k];
      withFakeVscode(fakeVscode(), () => require('vscode-languageclient/node'));
    },
  ]);
  row('load dist/extension.js (require, fake vscode)', timed(load, 2));
  row('  for scale: vscode-languageclient/node alone', timed(lc, 2));
  row('activate()', timed(act), `${calls} vscode API calls, ${subscriptions} disposables`);
  row('baseline: the same number of bare registerCommand calls', timed(baseline), `ratio ${(act.wall / Math.max(baseline.wall, 1e-6)).toFixed(1)}x (taken in turn with activate())`);
  breakdown();
  console.log(`  most called: ${top.map(([k, v]) => `${k.replace(/^vscode\./, '')} x${v}`).join(', ')}`);
}

/** Each `register*` function of src/extension on its own (first call after loading, then median of 9). */
function breakdown(): void {
  const dir = join(ROOT, 'src', 'extension');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'main.ts');
  const figures: [string, number][] = [];
  for (const f of files) {
    const fake = fakeVscode();
    const mod = withFakeVscode(fake, () => require(join(dir, f))) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (!name.startsWith('register') || typeof fn !== 'function') continue;
      const ms = medianMs(9, () => withFakeVscode(fake, () => (fn as (c: unknown) => void)(context(fake))));
      figures.push([name, ms]);
    }
  }
  figures.sort((a, b) => b[1] - a[1]);
  // A few microseconds each: wall time only (reading the process's CPU time costs about as much).
  for (const [name, ms] of figures) row(`  ${name}`, `${ms.toFixed(4)} ms`);
}

// ---- the VRAM view at an arbitrary offset of a 1 GiB segment ----

const GiB = 2 ** 30;
const SEG_BASE = 2 ** 40;
const BYTES_PER_ROW = 16;
const VIEWPORT = 900;
const ROW_HEIGHT = 20;

/** Deterministic bytes of the simulated segment, with `gen` changing the bytes a step wrote. */
function readBytes(address: number, count: number, written?: { from: number; to: number; value: number }): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const a = address + i;
    out[i] = written && a >= written.from && a < written.to ? written.value : (a * 2654435761) >>> 24;
  }
  return out;
}

function overlaysFor(n: number): Overlay[] {
  const list: Overlay[] = [];
  for (let i = 0; i < n; i++) list.push({ name: `Alloc${i}`, address: SEG_BASE + i * (GiB / n), size: GiB / n / 2 });
  return sortOverlays(list);
}

function recordRead(tracker: ChangeTracker, address: number, count: number, written?: { from: number; to: number; value: number }): void {
  const bytes = readBytes(address, count, written);
  for (let off = 0; off < count; off += BYTES_PER_ROW) tracker.record(address + off, Array.from(bytes.subarray(off, off + BYTES_PER_ROW)));
}

function naiveRender(first: number, count: number, rowBytes: (a: number) => RowBytes | undefined, changed: (a: number) => readonly number[], overlays: readonly Overlay[]): string {
  let html = '';
  for (let r = 0; r < count; r++) {
    const rowAddr = SEG_BASE + (first + r) * BYTES_PER_ROW;
    const bytes = rowBytes(rowAddr) ?? [];
    let hex = '';
    let text = '';
    for (let i = 0; i < BYTES_PER_ROW; i++) {
      const a = rowAddr + i;
      const o = overlays.find((x) => a >= x.address && a < x.address + x.size);
      const cls = ['b', o ? 'a' : '', changed(rowAddr).includes(i) ? 'c' : ''].join(' ');
      const v = bytes[i];
      hex += `<span class="${cls}" data-o="${i}">${v == null ? '??' : v.toString(16).padStart(2, '0')}</span>`;
      text += v == null ? ' ' : String.fromCharCode(v).replace(/[^\x20-\x7e]/, '.').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    }
    html += `<div class="row"><span class="addr">${rowAddr.toString(16).padStart(11, '0')}</span><span class="hex">${hex}</span><span class="text">${text}</span></div>`;
  }
  return html;
}

function vramView(): void {
  const overlays = overlaysFor(4096);
  const model = scrollModel(rowCountFor(GiB, BYTES_PER_ROW), ROW_HEIGHT, VIEWPORT);
  const row0 = 41_234_567; // an arbitrary row, ~629 MiB into the segment
  let tracker = new ChangeTracker();
  let html = '';

  const show = () => {
    tracker = new ChangeTracker();
    const w = windowAtRow(model, row0);
    recordRead(tracker, SEG_BASE + w.firstRow * BYTES_PER_ROW, w.rowCount * BYTES_PER_ROW);
    html = renderRows({ firstRow: w.firstRow, rowCount: w.rowCount, regionBase: SEG_BASE, regionSize: GiB, bytesPerRow: BYTES_PER_ROW, rowBytes: (a) => tracker.currentRow(a), changed: (a) => tracker.changedBytes(a), overlays, cursor: SEG_BASE + row0 * 16 });
  };
  const [tShow] = interleaved(51, [show]);
  const w = windowAtRow(model, row0);
  const rowsShown = (html.match(/class="row"/g) ?? []).length;

  // A step: the GPU wrote 200 bytes in view; the view re-reads the visible rows and diffs.
  let step = 0;
  const written = () => ({ from: SEG_BASE + (w.firstRow + 3) * BYTES_PER_ROW + 5, to: SEG_BASE + (w.firstRow + 3) * BYTES_PER_ROW + 205, value: step & 0xff });
  const refresh = () => {
    step++;
    tracker.newStop();
    recordRead(tracker, SEG_BASE + w.firstRow * BYTES_PER_ROW, w.rowCount * BYTES_PER_ROW, written());
    html = renderRows({ firstRow: w.firstRow, rowCount: w.rowCount, regionBase: SEG_BASE, regionSize: GiB, bytesPerRow: BYTES_PER_ROW, rowBytes: (a) => tracker.currentRow(a), changed: (a) => tracker.changedBytes(a), overlays });
  };
  show();
  const [tRefresh] = interleaved(51, [refresh]);
  const changedCells = (html.match(/class="[^"]*\bc\b[^"]*"/g) ?? []).length;

  // The naive formatter (the baseline) and the view's, in turn.
  const [tNaive, tFormatOnly] = interleaved(51, [
    () => naiveRender(w.firstRow, w.rowCount, (a) => tracker.currentRow(a), (a) => tracker.changedBytes(a), overlays),
    () => void renderRows({ firstRow: w.firstRow, rowCount: w.rowCount, regionBase: SEG_BASE, regionSize: GiB, bytesPerRow: BYTES_PER_ROW, rowBytes: (a) => tracker.currentRow(a), changed: (a) => tracker.changedBytes(a), overlays }),
  ]);
  const perRow = tFormatOnly.wall / w.rowCount;
  const allRows = rowCountFor(GiB, BYTES_PER_ROW);

  row('1 GiB segment', `${allRows.toLocaleString('en-US')} rows`, `spacer ${model.spacerHeight} px (scaled: ${model.scaled})`);
  row(`show at row ${row0.toLocaleString('en-US')} (read + diff + format ${rowsShown} rows)`, timed(tShow));
  row('refresh after a step (new stop, re-read, diff, format)', timed(tRefresh), `${changedCells} bytes highlighted`);
  row('format the visible rows only', timed(tFormatOnly));
  row('baseline: naive formatter of the same rows', timed(tNaive), `ratio ${(tNaive.wall / tFormatOnly.wall).toFixed(1)}x slower (taken in turn)`);
  row('baseline: every row of the segment (extrapolated)', `${((perRow * allRows) / 1000).toFixed(1)} s`, `ratio ${((perRow * allRows) / tFormatOnly.wall).toExponential(1)}x`);
}

export const extensionSuite: Suite = {
  name: 'extension',
  title: 'extension activation; VRAM view on a 1 GiB segment: show at an offset, refresh after a step',
  run() {
    activation();
    vramView();
  },
};
