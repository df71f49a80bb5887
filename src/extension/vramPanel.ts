// The VRAM hex view on the extension host side: a webview view in the bottom panel ("VRAM", beside
// the Debug Console). It serves the page, reads and writes memory for it through the wddm debug
// session (DAP readMemory/writeMemory), and forwards stops, memory events and the allocations to
// draw. One view, aimed again when opened again.
//
// Why a panel view made ready when a session starts: a webview's first load waits on the
// workbench's webview host (in code-server a service worker registered per webview: seconds),
// while a loaded view that is hidden and shown again reacts in tens of milliseconds. So the view
// is loaded, hidden, while the session starts, and "Open in VRAM View" only aims and reveals it.

import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { debugEvents } from './debugEvents';
import { adapterState } from './adapterState';
import { memoryReferenceOf, parseMemoryReference, viewState } from './vramTargets';
import { nonce, vramViewHtml } from './webviewHtml';
import { isViewToHost, type HostToView, type ViewTarget } from '../../media/src/protocol';
import { bytesPerRowSetting } from './settings';
import { showWhoWrote } from './whoWrote';

export const VIEW_VRAM = 'pagingLab.vram';
/** The Debug Console's own command; with `preserveFocus` it shows the console without taking the keyboard. */
const SHOW_DEBUG_CONSOLE = 'workbench.debug.action.toggleRepl';

/** Set while the view is loaded, so it stays in the panel after the session ends. */
const OPEN_CONTEXT = 'pagingLab.vramViewOpen';

const DEFAULT_TARGET: ViewTarget = { title: 'vram', base: 2 ** 40, size: 256 * 2 ** 20, cursor: 2 ** 40 };

class VramViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private target: ViewTarget | undefined;
  private pageReady = false;
  /** Shown only to be loaded: once resolved, the panel goes back to the Debug Console. */
  private warming = false;

  constructor(private readonly media: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView, context: vscode.WebviewViewResolveContext): void {
    this.view = view;
    this.pageReady = false;
    void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, true);
    const saved = (context.state as { target?: ViewTarget } | undefined)?.target;
    this.target ??= isTarget(saved) ? saved : undefined;
    if (this.target) view.description = this.target.title;
    const webview = view.webview;
    webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    webview.html = vramViewHtml({ cspSource: webview.cspSource, nonce: nonce(), ...pageSources(this.media) });
    this.disposables.push(
      webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      adapterState.onDidChange(() => {
        if (debugEvents.isStopped(debugEvents.currentSession())) this.post({ type: 'stopped', state: viewState(adapterState.state) });
      }),
      debugEvents.onContinued(() => this.post({ type: 'continued' })),
      debugEvents.onEnded(() => this.post({ type: 'ended' })),
      debugEvents.onMemory((m) => {
        const base = parseMemoryReference(m.memoryReference, adapterState.state);
        // An unknown reference: re-read everything in view rather than show stale bytes.
        this.post(base === undefined ? { type: 'memory', address: 0, count: Number.MAX_SAFE_INTEGER } : { type: 'memory', address: base + m.offset, count: m.count });
      }),
    );
    view.onDidDispose(() => this.dispose());
    if (this.warming) {
      this.warming = false;
      // The page goes on loading while hidden (the view is retained when hidden).
      void vscode.commands.executeCommand(SHOW_DEBUG_CONSOLE, { preserveFocus: true });
    }
  }

  /** Aims the view at a target and shows it with the keyboard in it (loading it first if it never was). */
  show(target: ViewTarget): void {
    this.target = target;
    this.warming = false;
    if (!this.view) {
      // The view is contributed for wddm sessions; asked for without one, it is made available
      // first (it then says that a session shows memory).
      void Promise.resolve(vscode.commands.executeCommand('setContext', OPEN_CONTEXT, true)).then(() => vscode.commands.executeCommand(`${VIEW_VRAM}.focus`));
      return;
    }
    this.view.description = target.title;
    this.view.show(false);
    if (this.pageReady) this.sendInit();
  }

  /** Loads the view out of sight, so that the first "Open in VRAM View" of the session is quick. */
  async warm(): Promise<void> {
    if (this.view) return;
    this.warming = true;
    // `<view>.open` with preserveFocus shows the view without taking the keyboard. The view is
    // contributed for wddm sessions: its `when` may become true a moment after the start.
    for (let i = 0; i < 20 && this.warming && !this.view; i++) {
      await vscode.commands.executeCommand(`${VIEW_VRAM}.open`, { preserveFocus: true }).then(undefined, () => undefined);
      for (let t = 0; t < 10 && !this.view; t++) await new Promise((r) => setTimeout(r, 50));
    }
    this.warming = false;
  }

  /** Ctrl+G while the view has focus: the keyboard goes to the view's go-to box. */
  focusGoto(): boolean {
    if (!this.view || !this.pageReady) return false;
    this.post({ type: 'focusGoto' });
    return true;
  }

  private post(m: HostToView): void {
    void this.view?.webview.postMessage(m);
  }

  private sendInit(): void {
    const session = debugEvents.currentSession();
    this.post({
      type: 'init',
      target: this.target ?? DEFAULT_TARGET,
      bytesPerRow: bytesPerRowSetting(),
      state: viewState(adapterState.state),
      running: !!session && !debugEvents.isStopped(session),
    });
    if (!session) {
      this.post({ type: 'ended' });
      this.post({ type: 'notice', text: 'No Paging Lab debug session: start one (F5) to see memory.' });
    }
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isViewToHost(m)) return;
    const session = debugEvents.currentSession();
    switch (m.type) {
      case 'ready':
        this.pageReady = true;
        this.sendInit();
        return;
      case 'read': {
        if (!session) return this.post({ type: 'data', id: m.id, address: m.address, count: m.count, error: 'No Paging Lab debug session: start one (F5) to see memory.' });
        try {
          const r = (await session.customRequest('readMemory', { memoryReference: memoryReferenceOf(m.address), offset: 0, count: m.count })) as
            | { address: string; unreadableBytes?: number; data?: string }
            | undefined;
          const got = r?.address !== undefined ? parseMemoryReference(r.address) : m.address;
          // The adapter may start the answer later than asked (unreadable lead bytes); keep offsets right.
          const lead = got !== undefined && got > m.address ? got - m.address : 0;
          this.post({ type: 'data', id: m.id, address: m.address + lead, count: m.count - lead, base64: r?.data ?? '' });
        } catch (e) {
          this.post({ type: 'data', id: m.id, address: m.address, count: m.count, error: `readMemory failed: ${message(e)}` });
        }
        return;
      }
      case 'write': {
        if (!session) return this.post({ type: 'writeResult', address: m.address, error: 'No Paging Lab debug session.' });
        try {
          await session.customRequest('writeMemory', { memoryReference: memoryReferenceOf(m.address), offset: 0, data: m.base64 });
          this.post({ type: 'writeResult', address: m.address });
        } catch (e) {
          this.post({ type: 'writeResult', address: m.address, error: `writeMemory failed: ${message(e)}` });
        }
        // Re-read what was written (or restore what was typed over) whether or not the adapter sends a memory event.
        this.post({ type: 'memory', address: m.address, count: Buffer.from(m.base64, 'base64').length });
        return;
      }
      case 'who':
        if (!session || !debugEvents.isStopped(session)) return this.post({ type: 'notice', text: 'Who wrote this? needs a Paging Lab debug session that is stopped.' });
        await showWhoWrote(session, m.address, m.length, m.history);
        return;
      case 'status':
        return;
    }
  }

  private dispose(): void {
    this.view = undefined;
    this.pageReady = false;
    void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, false);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

let sources: { script: string; style: string } | undefined;

/** The page's bundled script and style, read once (the page carries them: see vramViewHtml). */
function pageSources(media: vscode.Uri): { script: string; style: string } {
  sources ??= {
    script: readFileSync(vscode.Uri.joinPath(media, 'vramView.js').fsPath, 'utf8'),
    style: readFileSync(vscode.Uri.joinPath(media, 'vramView.css').fsPath, 'utf8'),
  };
  return sources;
}

function isTarget(t: unknown): t is ViewTarget {
  const o = t as Partial<ViewTarget> | undefined;
  return !!o && typeof o.title === 'string' && [o.base, o.size, o.cursor].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let provider: VramViewProvider | undefined;

/** The VRAM view: aimed at a target and shown (see VramViewProvider.show). */
export const vramView = {
  show(target: ViewTarget): void {
    provider?.show(target);
  },
  focusGoto(): boolean {
    return provider?.focusGoto() ?? false;
  },
};

export function registerVramView(context: vscode.ExtensionContext): void {
  const p = new VramViewProvider(vscode.Uri.joinPath(context.extensionUri, 'dist', 'media'));
  provider = p;
  const consoleOption = () => vscode.workspace.getConfiguration('debug').get<string>('internalConsoleOptions');
  context.subscriptions.push(
    // The view holds the bytes seen at the previous stop (the baseline of the highlighting), and
    // loading it again costs seconds: it stays loaded while hidden.
    vscode.window.registerWebviewViewProvider(VIEW_VRAM, p, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.debug.onDidStartDebugSession((s) => {
      // Loading it means showing the panel for a moment: not when the user keeps the panel closed.
      if (s.type === 'wddm' && !s.parentSession && consoleOption() !== 'neverOpen') void p.warm();
    }),
  );
}
