// The "Segment Occupancy" webview view in the Run and Debug side bar: the SVG of occupancySvg.ts,
// redrawn at each stop. No script at all; the page only has a nonce'd style and inline SVG.

import * as vscode from 'vscode';
import { adapterState } from './adapterState';
import { occupancySvg } from './occupancySvg';
import { contentSecurityPolicy, nonce } from './webviewHtml';
import { escapeHtml } from '../../media/src/rows';

export const VIEW_OCCUPANCY = 'pagingLab.occupancy';

const STYLE = `
body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 4px 8px; }
.label { fill: var(--vscode-foreground); font-size: 11px; }
.segment { fill: var(--vscode-editorWidget-background, #2228); stroke: var(--vscode-panel-border, #888); }
.alloc { fill: var(--vscode-charts-blue, #3794ff); }
.alloc.odd { fill: var(--vscode-charts-purple, #b180d7); }
.alloc.locked { fill: var(--vscode-charts-orange, #d18616); }
p { color: var(--vscode-descriptionForeground); }`;

export function occupancyHtml(cspSource: string, body: string): string {
  const n = nonce();
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, n, { scripts: false })}">
<style nonce="${n}">${STYLE}</style></head><body>${body}</body></html>`;
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
    const body = s
      ? occupancySvg(s)
      : `<p>${escapeHtml(adapterState.error ?? 'Start a Paging Lab debug session (F5): the segments and their allocations are drawn here at each stop.')}</p>`;
    view.webview.html = occupancyHtml(view.webview.cspSource, body);
  }
}

export function registerOccupancyView(context: vscode.ExtensionContext): void {
  const provider = new OccupancyViewProvider();
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(VIEW_OCCUPANCY, provider),
    adapterState.onDidChange(() => provider.render()),
  );
}
