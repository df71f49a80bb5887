// The "Segment Occupancy" webview view in the Run and Debug side bar: the map of occupancyMap.ts,
// redrawn at each stop. No script at all; the page only has a nonce'd style and the map's HTML.

import * as vscode from 'vscode';
import { adapterState } from './adapterState';
import { occupancyMap, OCCUPANCY_STYLE } from './occupancyMap';
import { contentSecurityPolicy, nonce } from './webviewHtml';
import { escapeHtml } from '../../media/src/rows';

export const VIEW_OCCUPANCY = 'pagingLab.occupancy';

export function occupancyHtml(cspSource: string, body: string, style = ''): string {
  const n = nonce();
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, n, { scripts: false })}">
<style nonce="${n}">${OCCUPANCY_STYLE}\n${style}</style></head><body>${body}</body></html>`;
}

class OccupancyViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: false, localResourceRoots: [] };
    view.onDidChangeVisibility(() => this.render());
    view.onDidDispose(() => (this.view = undefined));
    this.render();
  }

  render(): void {
    const view = this.view;
    if (!view?.visible) return;
    const s = adapterState.state;
    if (s) {
      const map = occupancyMap(s);
      view.webview.html = occupancyHtml(view.webview.cspSource, map.html, map.style);
      return;
    }
    const text = adapterState.error ?? 'Start a Paging Lab debug session (F5): the segments and their allocations are drawn here at each stop.';
    view.webview.html = occupancyHtml(view.webview.cspSource, `<p>${escapeHtml(text)}</p>`);
  }
}

export function registerOccupancyView(context: vscode.ExtensionContext): void {
  const provider = new OccupancyViewProvider();
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(VIEW_OCCUPANCY, provider),
    adapterState.onDidChange(() => provider.render()),
  );
}
