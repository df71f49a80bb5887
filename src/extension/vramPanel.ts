// The VRAM hex view's webview panel on the extension host side: it serves the page, reads and
// writes memory for it through the wddm debug session (DAP readMemory/writeMemory), and forwards
// stops, memory events and the allocations to draw. One panel, retargeted when opened again.

import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { debugEvents } from './debugEvents';
import { adapterState } from './adapterState';
import { memoryReferenceOf, parseMemoryReference, viewState } from './vramTargets';
import { nonce, vramViewHtml } from './webviewHtml';
import { isViewToHost, type HostToView, type ViewTarget } from '../../media/src/protocol';
import { bytesPerRowSetting } from './settings';
import { showWhoWrote } from './whoWrote';

export const VRAM_VIEW_TYPE = 'pagingLab.vramView';

let current: VramPanel | undefined;

export class VramPanel {
  private readonly disposables: vscode.Disposable[] = [];

  static show(context: vscode.ExtensionContext, target: ViewTarget): VramPanel {
    if (current) {
      current.target = target;
      current.panel.title = `VRAM: ${target.title}`;
      current.panel.reveal(undefined, false);
      current.sendInit();
      return current;
    }
    const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(VRAM_VIEW_TYPE, `VRAM: ${target.title}`, vscode.ViewColumn.Beside, panelOptions(media));
    current = new VramPanel(media, panel, target);
    return current;
  }

  /** Ctrl+G while the view is the active editor: the keyboard goes to the view's go-to box. */
  static focusGoto(): boolean {
    if (!current) return false;
    current.post({ type: 'focusGoto' });
    return true;
  }

  /** A panel VS Code restores after a reload, with the target the page saved in its state. */
  static revive(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, state: unknown): void {
    const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
    panel.webview.options = panelOptions(media);
    const saved = (state as { target?: ViewTarget } | undefined)?.target;
    const target = isTarget(saved) ? saved : { title: 'vram', base: 2 ** 40, size: 256 * 2 ** 20, cursor: 2 ** 40 };
    current?.panel.dispose();
    current = new VramPanel(media, panel, target);
  }

  private constructor(
    media: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    private target: ViewTarget,
  ) {
    const webview = this.panel.webview;
    webview.html = vramViewHtml({ cspSource: webview.cspSource, nonce: nonce(), ...pageSources(media) });
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
    this.panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  private post(m: HostToView): void {
    void this.panel.webview.postMessage(m);
  }

  private sendInit(): void {
    const session = debugEvents.currentSession();
    this.post({
      type: 'init',
      target: this.target,
      bytesPerRow: bytesPerRowSetting(),
      state: viewState(adapterState.state),
      running: !!session && !debugEvents.isStopped(session),
    });
    if (!session) this.post({ type: 'ended' });
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isViewToHost(m)) return;
    const session = debugEvents.currentSession();
    switch (m.type) {
      case 'ready':
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
    if (current === this) current = undefined;
    for (const d of this.disposables) d.dispose();
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

function panelOptions(media: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [media],
    // The view holds the bytes seen at the previous stop (the baseline of the highlighting);
    // reloading it whenever its tab is hidden would lose them.
    retainContextWhenHidden: true,
  };
}

function isTarget(t: unknown): t is ViewTarget {
  const o = t as Partial<ViewTarget> | undefined;
  return !!o && typeof o.title === 'string' && [o.base, o.size, o.cursor].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
}

/** Restores the VRAM view after a window reload (its target comes from the page's saved state). */
export function registerVramPanelSerializer(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VRAM_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => VramPanel.revive(context, panel, state),
    }),
  );
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
