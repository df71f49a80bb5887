// HTML shells for the extension's webviews: a strict Content Security Policy with a per-load
// nonce (`default-src 'none'`, scripts and styles only from the extension's dist/media folder or
// carrying the nonce, no remote content). No `vscode` here, so the policy is unit-tested.

import { randomBytes } from 'node:crypto';

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(cspSource: string, n: string, opts: { scripts: boolean }): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${n}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    opts.scripts ? `script-src 'nonce-${n}'` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export interface VramHtmlInput {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

export function vramViewHtml(i: VramHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(i.cspSource, i.nonce, { scripts: true })}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${i.styleUri}" nonce="${i.nonce}">
<title>VRAM</title>
</head>
<body>
<header class="toolbar">
  <span id="title">VRAM</span>
  <input id="goto" type="text" spellcheck="false" aria-label="Go to address"
    placeholder="Go to: 0x1000, vram:0x1000, #4096, +0x40, allocation name (Ctrl+G)">
  <span id="status"></span>
</header>
<div id="main">
  <div id="scroller" tabindex="0" role="grid" aria-label="Memory bytes">
    <div id="rows"></div>
    <div id="spacer"></div>
  </div>
  <aside>
    <h2>Cursor</h2>
    <div id="cursor-info"></div>
    <h2>Data inspector
      <select id="endian" aria-label="Byte order">
        <option value="le" selected>little endian</option>
        <option value="be">big endian</option>
      </select>
    </h2>
    <table><tbody id="inspector-body"></tbody></table>
  </aside>
</div>
<script nonce="${i.nonce}" src="${i.scriptUri}"></script>
</body>
</html>`;
}
