// The VRAM hex view's webview panel on the extension host side: it serves the page, reads and
// writes memory for it through the wddm debug session (DAP readMemory/writeMemory), and forwards
// stops, memory events and the allocations to draw. One panel, retargeted when opened again.

import * as vscode from 'vscode';
import { debugEvents } from './debugEvents';
import { adapterState } from './adapterState';
import { memoryReferenceOf, parseMemoryReference, viewState } from './vramTargets';
import { nonce, vramViewHtml } from './webviewHtml';
import { isViewToHost, type HostToView, type ViewTarget } from '../../media/src/protocol';
import { bytesPerRowSetting } from './settings';

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
    current = new VramPanel(context, target);
    return current;
  }

  private constructor(
    context: vscode.ExtensionContext,
    private target: ViewTarget,
  ) {
    const media = vscode.Uri.joinPath(context.extensionUri, 'dist', 'media');
    this.panel = vscode.window.createWebviewPanel(VRAM_VIEW_TYPE, `VRAM: ${target.title}`, vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media],
      // The view holds the bytes seen at the previous stop (the baseline of the highlighting);
      // reloading it whenever its tab is hidden would lose them.
      retainContextWhenHidden: true,
    });
    const webview = this.panel.webview;
    webview.html = vramViewHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'vramView.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'vramView.css')).toString(),
    });
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

  readonly panel: vscode.WebviewPanel;

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
      case 'status':
        return;
    }
  }

  private dispose(): void {
    if (current === this) current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
