// The VRAM hex view's browser script (bundled to dist/media/vramView.js). It owns the DOM only:
// the scroll math, decoding, diffing, parsing and formatting live in the pure modules beside it.
// Bytes come from the extension host, which reads them through the debug session (DAP readMemory).

import { ChangeTracker } from './changes';
import { inspect } from './dataInspector';
import { parseAddress, describeAddress, SEGMENT_STRIDE, type NamedRegion } from './address';
import { renderRows, sortOverlays, type Overlay } from './rows';
import { rowCountFor, scrollModel, visibleWindow, firstRowToReveal, scrollTopForRow, rowsPerPage, windowAtRow, type ScrollModel } from './virtualScroll';
import { moveCursor, typeHexDigit, type NavKey, type EditState } from './editing';
import { base64ToBytes, bytesToBase64, type HostToView, type ViewToHost, type ViewTarget } from './protocol';

declare function acquireVsCodeApi(): { postMessage(m: ViewToHost): void; setState(s: unknown): void; getState(): unknown };

// Marks on the page's performance timeline (script, init, first read asked, first bytes drawn; a later
// open's marks again, as name#N): how long opening the view takes, and where, can be read from
// outside (the end-to-end test prints it).
performance.mark('vram:script');
const vscode = acquireVsCodeApi();
const ROW_HEIGHT = 20;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const scroller = $<HTMLDivElement>('scroller');
const spacer = $<HTMLDivElement>('spacer');
const rowsEl = $<HTMLDivElement>('rows');
const titleEl = $<HTMLSpanElement>('title');
const statusEl = $<HTMLSpanElement>('status');
const gotoEl = $<HTMLInputElement>('goto');
const inspectorBody = $<HTMLTableSectionElement>('inspector-body');
const endianEl = $<HTMLSelectElement>('endian');
const cursorEl = $<HTMLDivElement>('cursor-info');
const whoEl = $<HTMLButtonElement>('who');
const historyEl = $<HTMLButtonElement>('history');

let target: ViewTarget | undefined;
let bytesPerRow = 16;
let segments: NamedRegion[] = [];
let overlays: Overlay[] = [];
let running = false;
let ended = false;
let model: ScrollModel = scrollModel(0, ROW_HEIGHT, 1);
let firstRow = 0;
/** A first row the program scrolled to, kept while scrollTop stays where that put it. */
let pinned: { scrollTop: number; firstRow: number } | undefined;
let edit: EditState = { cursor: 0, nibble: 0 };
const tracker = new ChangeTracker();
const pending = new Map<number, { address: number; count: number }>();
const pendingRows = new Set<number>();
let nextId = 1;
let frame = 0;
let message = '';
/** The cursor last saved in the page's state (what VS Code restores after a window reload). */
let savedCursor = -1;

/** How many times the host has aimed the view (init): the first open's marks are plain, a later open's carry `#N`. */
let opens = 0;
const marked = new Set<string>();
function markOnce(name: string): void {
  const full = opens > 1 ? `${name}#${opens}` : name;
  if (marked.has(full)) return;
  marked.add(full);
  performance.mark(full);
}

/** Saves the target and the cursor, so a reloaded window reopens the view on the same byte. */
function saveState(): void {
  if (!target || savedCursor === edit.cursor) return;
  savedCursor = edit.cursor;
  vscode.setState({ target: { ...target, cursor: edit.cursor } });
}

function layout(): void {
  if (!target) return;
  model = scrollModel(rowCountFor(target.size, bytesPerRow), ROW_HEIGHT, scroller.clientHeight || 400);
  spacer.style.height = `${Math.max(0, model.spacerHeight - model.viewportHeight)}px`;
  rowsEl.style.height = `${model.viewportHeight}px`;
  schedule();
}

function schedule(): void {
  if (!frame) frame = requestAnimationFrame(draw);
}

function draw(): void {
  frame = 0;
  if (!target) return;
  const w = pinned && Math.abs(scroller.scrollTop - pinned.scrollTop) < 1 ? windowAtRow(model, pinned.firstRow) : visibleWindow(model, scroller.scrollTop);
  if (pinned && w.firstRow !== pinned.firstRow) pinned = undefined;
  firstRow = w.firstRow;
  requestMissing(w.firstRow, w.rowCount);
  rowsEl.innerHTML = renderRows({
    firstRow: w.firstRow,
    rowCount: w.rowCount,
    regionBase: target.base,
    regionSize: target.size,
    bytesPerRow,
    rowBytes: (a) => tracker.currentRow(a),
    changed: (a) => tracker.changedBytes(a),
    overlays,
    cursor: edit.cursor,
  });
  rowsEl.style.transform = `translateY(${-w.offsetPx}px)`;
  if (tracker.hasCurrent(target.base + w.firstRow * bytesPerRow)) markOnce('vram:bytes');
  drawInspector();
  saveState();
}

/** Reads the visible rows not yet read during this stop, as one request per contiguous run. */
function requestMissing(first: number, count: number): void {
  // Nothing is read while the debuggee runs: what the view holds stays the values of the last
  // stop, which the next stop compares with.
  if (!target || ended || running) return;
  let runStart = -1;
  const flush = (endRow: number) => {
    if (runStart < 0 || !target) return;
    const address = target.base + runStart * bytesPerRow;
    const end = Math.min(target.base + endRow * bytesPerRow, target.base + target.size);
    const id = nextId++;
    pending.set(id, { address, count: end - address });
    for (let a = address; a < end; a += bytesPerRow) pendingRows.add(a);
    vscode.postMessage({ type: 'read', id, address, count: end - address });
    markOnce('vram:read');
    runStart = -1;
  };
  for (let r = first; r < first + count; r++) {
    const a = target.base + r * bytesPerRow;
    const missing = !tracker.hasCurrent(a) && !pendingRows.has(a);
    if (missing && runStart < 0) runStart = r;
    if (!missing) flush(r);
  }
  flush(first + count);
}

function onData(m: Extract<HostToView, { type: 'data' }>): void {
  const req = pending.get(m.id);
  pending.delete(m.id);
  if (!req) return;
  const bytes = m.base64 ? base64ToBytes(m.base64) : new Uint8Array(0);
  for (let a = req.address; a < req.address + req.count; a += bytesPerRow) {
    pendingRows.delete(a);
    const row: (number | null)[] = [];
    for (let i = 0; i < bytesPerRow && a + i < req.address + req.count; i++) {
      // The answer starts at m.address (later than asked when leading bytes are unreadable).
      const k = a + i - m.address;
      row.push(k >= 0 && k < bytes.length ? bytes[k] : null);
    }
    // A failed read is not recorded, so it is retried at the next stop rather than shown as data.
    if (!m.error) tracker.record(a, row);
  }
  if (m.error) setMessage(m.error);
  schedule();
}

function byteAt(address: number): number | null | undefined {
  const row = Math.floor(address / bytesPerRow) * bytesPerRow;
  const bytes = tracker.currentRow(row);
  return bytes ? bytes[address - row] : undefined;
}

function drawInspector(): void {
  const bytes: (number | null)[] = [];
  for (let i = 0; i < 8; i++) {
    const b = byteAt(edit.cursor + i);
    if (b === undefined || b === null) break;
    bytes.push(b);
  }
  const rows = inspect(bytes, endianEl.value === 'le');
  inspectorBody.innerHTML = rows
    .map((r) => `<tr><th>${r.type}</th><td>${r.value ?? '\u2014'}</td><td class="hexv">${r.hex ?? ''}</td></tr>`)
    .join('');
  const inAlloc = overlays.find((o) => edit.cursor >= o.address && edit.cursor < o.address + o.size);
  cursorEl.textContent =
    `${describeAddress(edit.cursor, segments)} (0x${edit.cursor.toString(16)})` +
    (inAlloc ? ` \u2014 ${inAlloc.name} +0x${(edit.cursor - inAlloc.address).toString(16)}` : '');
  statusEl.textContent = (ended ? 'session ended' : running ? 'running' : 'stopped') + (message ? ` \u2014 ${message}` : '');
}

function setMessage(text: string): void {
  message = text;
  drawInspector();
}

/** Puts `row` at the top of the viewport, exactly even where a pixel spans many rows. */
function scrollToRow(row: number): void {
  scroller.scrollTop = scrollTopForRow(model, row);
  pinned = { scrollTop: scroller.scrollTop, firstRow: windowAtRow(model, row).firstRow };
  firstRow = pinned.firstRow;
  schedule();
}

function setCursor(address: number, reveal = true): void {
  if (!target) return;
  edit = { cursor: Math.min(Math.max(address, target.base), target.base + target.size - 1), nibble: 0 };
  if (reveal) {
    const row = Math.floor((edit.cursor - target.base) / bytesPerRow);
    const top = firstRowToReveal(model, firstRow, row);
    if (top !== undefined) scrollToRow(top);
  }
  schedule();
}

function retarget(t: ViewTarget): void {
  target = t;
  savedCursor = -1;
  titleEl.textContent = t.title;
  tracker.reset();
  pending.clear();
  pendingRows.clear();
  layout();
  const row = Math.floor((t.cursor - t.base) / bytesPerRow);
  scrollToRow(Math.max(0, row - 2));
  setCursor(t.cursor, false);
}

function focusGoto(): void {
  gotoEl.focus();
  gotoEl.select();
}

/** Go to an address, switching to the segment (or system memory) that holds it if needed. */
function goTo(address: number): void {
  if (!target) return;
  if (address < target.base || address >= target.base + target.size) {
    const seg = segments.find((s) => address >= s.address && address < s.address + s.size);
    const region = seg
      ? { title: seg.name, base: seg.address, size: seg.size }
      : address < SEGMENT_STRIDE
        ? { title: 'system memory', base: 0, size: SEGMENT_STRIDE }
        : undefined;
    if (!region) return setMessage(`0x${address.toString(16)} is in no known segment.`);
    retarget({ ...region, cursor: address });
  } else {
    const row = Math.floor((address - target.base) / bytesPerRow);
    scrollToRow(Math.max(0, row - 2));
    setCursor(address, false);
  }
  setMessage('');
  scroller.focus();
}

window.addEventListener('message', (e: MessageEvent<HostToView>) => {
  const m = e.data;
  switch (m.type) {
    case 'init':
      opens++;
      markOnce('vram:init');
      bytesPerRow = m.bytesPerRow;
      segments = m.state.segments;
      overlays = sortOverlays(m.state.overlays);
      running = m.running;
      ended = false;
      retarget(m.target);
      break;
    case 'data':
      onData(m);
      break;
    case 'stopped':
      // Also the first stop of a new session after the previous one ended (or of the first
      // session, the view opened before it): what was said of no session no longer holds.
      if (ended) setMessage('');
      running = false;
      ended = false;
      segments = m.state.segments;
      overlays = sortOverlays(m.state.overlays);
      tracker.newStop();
      pending.clear();
      pendingRows.clear();
      schedule();
      break;
    case 'continued':
      if (ended) setMessage('');
      running = true;
      ended = false;
      schedule();
      break;
    case 'memory':
      tracker.invalidate(m.address, m.count, bytesPerRow);
      schedule();
      break;
    case 'ended':
      ended = true;
      schedule();
      break;
    case 'goto':
      goTo(m.address);
      break;
    case 'focusGoto':
      focusGoto();
      break;
    case 'writeResult':
      if (m.error) setMessage(m.error);
      break;
    case 'notice':
      setMessage(m.text);
      break;
  }
});

const NAV = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

scroller.addEventListener('keydown', (e) => {
  if (!target) return;
  if (NAV.has(e.key)) {
    e.preventDefault();
    setCursor(moveCursor(edit.cursor, e.key as NavKey, { base: target.base, size: target.size, bytesPerRow, pageRows: rowsPerPage(model), ctrl: e.ctrlKey || e.metaKey }));
    return;
  }
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'g') {
    e.preventDefault();
    focusGoto();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const current = byteAt(edit.cursor);
  const r = typeHexDigit(edit, typeof current === 'number' ? current : 0, e.key, target.base + target.size);
  if (!r) return;
  e.preventDefault();
  if (ended || running) return setMessage(ended ? 'The session has ended: memory cannot be edited.' : 'Pause the debuggee to edit memory.');
  if (current === undefined || current === null) return setMessage('This byte is not readable.');
  vscode.postMessage({ type: 'write', address: r.write.address, base64: bytesToBase64(Uint8Array.of(r.write.value)) });
  // Show the typed nibble at once; the host's memory event re-reads the row to confirm it.
  const rowAddr = Math.floor(r.write.address / bytesPerRow) * bytesPerRow;
  const row = tracker.currentRow(rowAddr);
  if (row) tracker.record(rowAddr, row.map((v, i) => (rowAddr + i === r.write.address ? r.write.value : v)));
  edit = r.state;
  setCursor(edit.cursor);
  edit.nibble = r.state.nibble;
});

rowsEl.addEventListener('mousedown', (e) => {
  const cell = (e.target as HTMLElement).closest('[data-o]') as HTMLElement | null;
  const rowAddress = (cell?.closest('.row') as HTMLElement | null)?.dataset.a;
  if (!cell || rowAddress === undefined) return;
  setCursor(Number(rowAddress) + Number(cell.dataset.o), false);
  scroller.focus();
  e.preventDefault();
});

// Who wrote the byte at the cursor (the host lists the chain), and every write to its row.
whoEl.addEventListener('click', () => vscode.postMessage({ type: 'who', address: edit.cursor, length: 1, history: false }));
historyEl.addEventListener('click', () => {
  const row = target ? target.base + Math.floor((edit.cursor - target.base) / bytesPerRow) * bytesPerRow : edit.cursor;
  vscode.postMessage({ type: 'who', address: row, length: bytesPerRow, history: true });
});

gotoEl.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') return scroller.focus();
  if (e.key !== 'Enter') return;
  const view = target ? { address: target.base, size: target.size } : undefined;
  const r = parseAddress(gotoEl.value, { segments, allocations: overlays, current: edit.cursor, view });
  if (!r.ok) return setMessage(r.error);
  goTo(r.address);
  // The box is for the next jump; where this one went is in the cursor line.
  if (!message) gotoEl.value = '';
});

endianEl.addEventListener('change', drawInspector);
scroller.addEventListener('scroll', schedule, { passive: true });
new ResizeObserver(layout).observe(scroller);
vscode.postMessage({ type: 'ready' });
