// The extension's debugging experience in a real VS Code, as a user drives it: F5 on a .pgasm file
// with no launch.json (the configuration provider fills it in), the stop, the Paging Lab views in
// Run and Debug, the VRAM hex view opened from the command palette on a typed address, one GPU
// step, and the bytes the step wrote highlighted. Screenshots of each step go to
// test-results/e2e/debug-pgasm/. Prints the time from F5 to the stop and from the step to the
// highlighted bytes, as seen on screen.

import assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { openSession, Session } from './harness';

/** The hex cells of the VRAM view's row at `address` (hex digits as the view prints them). */
async function rowCells(view: FrameLocator, address: string): Promise<{ text: string; changed: boolean }[]> {
  const row = view.locator('#rows .row', { has: view.locator('.addr', { hasText: address }) }).first();
  if (!(await row.count())) return [];
  return row.locator('.hex .b').evaluateAll((cells) => cells.map((c) => ({ text: c.textContent ?? '', changed: c.classList.contains('c') })));
}

describe('Paging Lab debugging in VS Code (code-server)', function () {
  let session: Session | undefined;

  before(async function () {
    session = await openSession({ fixture: 'debug-pgasm', name: 'debug-pgasm' });
    await session.screenshot('workspace-open');
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('F5 on a .pgasm file with no launch.json runs it and stops before the first opcode', async function () {
    const wb = session!.workbench;
    const editor = await wb.openFile('fill.pgasm');
    await editor.click();
    const t0 = Date.now();
    await wb.page.keyboard.press('F5');
    await wb.waitFor('.debug-call-stack .monaco-list-row', 'the Call Stack with the GPU thread', 30_000);
    const stack = await wb.poll(
      () => wb.page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => /paused|fill|start|entry/i.test(r)),
    );
    console.log(`      F5 to stopped on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('stopped-on-entry');
    assert.ok(stack.length > 0, 'the Call Stack shows the session');
    assert.deepEqual(await wb.notifications(), [], 'no error notifications');
  });

  it('shows the Paging Lab views in Run and Debug, filled at the stop', async function () {
    const wb = session!.workbench;
    const header = await wb.waitFor(wb.page.locator('.pane-header', { hasText: 'Segments' }), 'the Segments view in Run and Debug');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const rows = await wb.poll(
      () => wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Segments' }) }).locator('.monaco-list-row').allInnerTexts(),
      (r) => r.some((t) => t.includes('vram')),
    );
    await session!.screenshot('segments-view');
    assert.ok(rows.some((t) => /vram/.test(t) && /MiB|KiB|B \//.test(t)), `a vram row with its size; rows: ${JSON.stringify(rows)}`);
  });

  it('opens the VRAM view at a typed address, then highlights the bytes one GPU step wrote', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await page.locator('.monaco-workbench').focus();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Paging Lab: Open VRAM View');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open VRAM View' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    // The command's own picker: type an address and take the offered "Go to" entry.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open VRAM View' }).waitFor({ state: 'visible' });
    await input.fill('vram:0x1000');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Go to vram:0x1000' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');

    const view = wb.activeWebview();
    await view.locator('#rows .row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const before = await wb.poll(() => rowCells(view, '10000001000'), (cells) => cells.length === 16 && cells.every((c) => c.text.trim() !== ''));
    await session!.screenshot('vram-view-before-step');
    assert.equal(before.length, 16, 'the row at vram:0x1000 is drawn');
    assert.ok(before.every((c) => c.text === '00' && !c.changed), `VRAM is clear before the fill: ${before.map((c) => c.text).join(' ')}`);
    assert.match(await view.locator('#title').innerText(), /vram/);

    // Step one opcode with the debug toolbar, as a user would.
    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-step-over').click();
    const after = await wb.poll(() => rowCells(view, '10000001000'), (cells) => cells.some((c) => c.changed), 15_000, 100);
    console.log(`      step to highlighted bytes on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('vram-view-after-step');
    assert.deepEqual(after.map((c) => c.text), 'ef be ad de ef be ad de ef be ad de ef be ad de'.split(' '), 'the fill pattern, little endian');
    assert.ok(after.every((c) => c.changed), 'every byte the fill wrote is highlighted');
    // Bytes past the 0x40 filled are unchanged and not highlighted.
    const untouched = await rowCells(view, '10000001040');
    assert.ok(untouched.length === 16 && untouched.every((c) => c.text === '00' && !c.changed), `the row after the fill: ${JSON.stringify(untouched)}`);
    // The data inspector decodes the cursor's bytes (the cursor is at vram:0x1000).
    const u32 = await view.locator('#inspector-body tr', { hasText: 'u32' }).innerText();
    assert.match(u32, /3735928559/, `u32 at the cursor is 0xDEADBEEF: ${u32}`);
  });

  it('draws the segment occupancy map in Run and Debug', async function () {
    const wb = session!.workbench;
    const header = await wb.waitFor(wb.page.locator('.pane-header', { hasText: 'Segment Occupancy' }), 'the Segment Occupancy view');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    // The side bar's webview view: the frame whose document has the map's SVG.
    const count = await wb.poll(
      async () => {
        let bars = 0;
        const frames = await wb.page.locator('iframe.webview.ready').count();
        for (let i = 0; i < frames; i++) {
          const doc = wb.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
          bars = Math.max(bars, await doc.locator('svg rect.segment').count().catch(() => 0));
        }
        return bars;
      },
      (n) => n >= 3,
    );
    await session!.screenshot('occupancy-map');
    assert.equal(count, 3, 'one bar per segment (vram, local, gart)');
  });

  it('opens the current paging buffer as a pgasm document', async function () {
    const wb = session!.workbench;
    await wb.runCommand('Paging Lab: Open Current Paging Buffer as pgasm');
    const lines = await wb.poll(
      () => wb.activeEditor().locator('.view-lines .view-line').allInnerTexts(),
      (l) => l.some((t) => t.replace(/\u00a0/g, ' ').includes('<- next')),
    );
    await session!.screenshot('paging-buffer-as-pgasm');
    const text = lines.map((l) => l.replace(/\u00a0/g, ' ')).join('\n');
    assert.match(text, /fill vram:0x1000, 0x40, 0xDEADBEEF/);
    // (The language server's inlay hints may sit between the instruction and its comment.)
    assert.match(text, /nop\b.*; 0x[0-9a-f]+.*<- next/, 'the next instruction (after the step) is marked');
    assert.doesNotMatch(text, /fill vram:0x1000.*<- next/);
    assert.equal(await wb.languageMode(), 'Paging Assembly');
  });
});
