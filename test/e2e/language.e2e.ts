// The pgasm language server in a real VS Code: opening a .pgasm with mistakes fills the Problems
// panel with the server's diagnostics (code and message), and hovering a mnemonic shows the opcode's
// documentation from the opcode table. Only what a user sees on screen is checked.

import assert from 'node:assert/strict';
import { openSession, Session } from './harness';

describe('pgasm language server in VS Code (code-server)', function () {
  let session: Session | undefined;

  before(async function () {
    session = await openSession({ fixture: 'language', name: 'language' });
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('shows the diagnostics of a .pgasm with errors in the Problems panel', async function () {
    const wb = session!.workbench;
    const page = session!.page;
    await wb.openFile('errors.pgasm');
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    const deadline = Date.now() + 30_000;
    let texts: string[] = [];
    while (Date.now() < deadline) {
      texts = await rows.allInnerTexts();
      if (texts.some((t) => t.includes('PGA002')) && texts.some((t) => t.includes('PGA006'))) break;
      await page.waitForTimeout(250);
    }
    await session!.screenshot('problems');
    const all = texts.join('\n');
    assert.match(all, /PGA002/, `the unknown mnemonic is in the Problems panel; it shows: ${all || '(nothing)'}`);
    assert.match(all, /copy/, `the "did you mean" suggestion is shown; it shows: ${all}`);
    assert.match(all, /PGA006/, `the out-of-range count is in the Problems panel; it shows: ${all}`);
    assert.match(all, /errors\.pgasm/, `the problems are grouped under the file; it shows: ${all}`);
  });

  it("opens the opcode's section of docs/pgasm.md from a diagnostic's code link", async function () {
    const page = session!.page;
    const link = page.locator('.markers-panel .monaco-list-row', { hasText: 'PGA006' }).locator('a, .monaco-link', { hasText: 'PGA006' }).first();
    await link.waitFor({ state: 'visible', timeout: 15_000 });
    await link.click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: 'pgasm.md' });
    await tab.waitFor({ state: 'visible', timeout: 15_000 }).catch(async (err: Error) => {
      throw new Error(`docs/pgasm.md did not open from the PGA006 link: ${err.message}`);
    });
    // The editor opens at the heading of the rule's opcode (pread), not at the top of the file.
    const editor = session!.workbench.activeEditor();
    const deadline = Date.now() + 10_000;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      // Monaco renders spaces as no-break spaces.
      lines = (await editor.locator('.view-lines .view-line').allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' '));
      if (lines.some((l) => l.includes('### `pread`'))) break;
      await page.waitForTimeout(250);
    }
    await session!.screenshot('docs-link');
    assert.ok(lines.some((l) => l.includes('### `pread`')), `the pread heading is on screen; lines: ${JSON.stringify(lines.slice(0, 8))}`);
  });

  it('shows the opcode documentation when hovering a mnemonic', async function () {
    const wb = session!.workbench;
    const page = session!.page;
    // Back to the program (an earlier test may have opened another editor).
    await page.locator('.tabs-container .tab', { hasText: 'errors.pgasm' }).first().click();
    const editor = wb.activeEditor();
    const fill = editor.locator('.view-lines .view-line span span', { hasText: /^fill$/ }).first();
    await fill.waitFor({ state: 'visible', timeout: 15_000 });
    const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover-content .rendered-markdown');
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !/32-bit/.test(text)) {
      await fill.hover();
      await page.waitForTimeout(1200);
      text = (await hover.allInnerTexts()).join('\n');
    }
    await session!.screenshot('hover');
    assert.match(text, /fill/, `the hover names the opcode; it shows: ${text || '(nothing)'}`);
    assert.match(text, /32-bit/, `the hover shows the opcode documentation; it shows: ${text || '(nothing)'}`);
    assert.match(text, /Offset 0x/, `the hover shows the instruction's offset; it shows: ${text}`);
  });
});
