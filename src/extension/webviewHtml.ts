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
  /** The page's script and style, put in the page itself (see `inlineScript`). */
  script: string;
  style: string;
  nonce: string;
}

/**
 * A script's text made safe inside <script>: no `</script` can end the element early. The page
 * carries its script and style rather than linking them, because each linked file is one more
 * round trip through the webview's resource loader (in the browser, to the server) before the
 * page shows anything: about a second of the view's opening time.
 */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/^\/\/# sourceMappingURL=.*$/m, '');
}

export function vramViewHtml(i: VramHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(i.cspSource, i.nonce, { scripts: true })}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${i.nonce}">${i.style.replace(/<\/(style)/gi, '<\\/$1')}</style>
<title>VRAM</title>
</head>
<body>
<header class="toolbar">
  <span id="title">VRAM</span>
  <input id="goto" type="text" spellcheck="false" aria-label="Go to address"
    placeholder="Go to (Ctrl+G): 0x1000 in this segment, vram:0x1000, #4096, +0x40, an allocation">
  <button id="who" type="button" title="Who wrote the byte at the cursor: the GPU instruction, its paging buffer, the DxgkDdiBuildPagingBuffer call, the driver's line">Who wrote this?</button>
  <button id="history" type="button" title="Every write to the row at the cursor, in order">History</button>
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
<script nonce="${i.nonce}">${inlineScript(i.script)}</script>
</body>
</html>`;
}
