// Debugging the driver's own TypeScript in a real VS Code (code-server), as a user does it: a
// breakpoint set by clicking the gutter on a line inside DxgkDdiBuildPagingBuffer, F5, the editor
// highlighting that line (the workspace has the launch.json a driver project has), its locals in
// the Variables view, F10 moving the highlight one line down, Step Back, Shift+F11 returning to the
// kernel's "DDI returned" frame, Reverse Continue from there back to the breakpoint's line, and
// Restart Frame with Step Back at a driver line. Screenshots of each step go to
// test-results/e2e/driver-source/. The adapter drives the simulator's V8 inspector under
// code-server's own Node here, which this test is also the check of.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { openSession, Session } from './harness';
import { ROOT } from './harness/environment';

const SAMPLE = join(ROOT, 'samples', 'drivers', 'reference');
const LINE_TEXT = 'const allocation = t.hAllocation as Allocation | null;';

describe("Debugging the driver's own source in VS Code (code-server)", function () {
  let session: Session | undefined;
  let line = 0;

  before(async function () {
    session = await openSession({ fixture: 'debug-driver-source', name: 'driver-source' });
    for (const f of ['driver.ts', 'segments.ts', 'swizzling.ts', 'busMaster.ts']) copyFileSync(join(SAMPLE, f), join(session.workspace, f));
    copyFileSync(join(ROOT, 'samples', 'scenarios', 'default.json'), join(session.workspace, 'scenario.json'));
    // The launch configuration a driver project has (New Driver Project writes the same).
    mkdirSync(join(session.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(session.workspace, '.vscode', 'launch.json'),
      JSON.stringify({ version: '0.2.0', configurations: [{ type: 'wddm', request: 'launch', name: 'Debug driver (Paging Lab)', driver: '${workspaceFolder}/driver.ts', scenario: '${workspaceFolder}/scenario.json' }] }, null, 2),
    );
    line = readFileSync(join(SAMPLE, 'driver.ts'), 'utf8').split('\n').findIndex((l) => l.includes(LINE_TEXT)) + 1;
    assert.ok(line > 0);
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  /** The margin row (line number, glyphs) of line `n` in the active editor. */
  function marginRow(n: number): Locator {
    const editor = session!.workbench.activeEditor();
    const page = session!.workbench.page;
    return editor.locator('.margin-view-overlays > div', { has: page.locator('.line-numbers', { hasText: new RegExp(`^\\s*${n}\\s*$`) }) }).first();
  }

  /** The line of the active editor on which a glyph (`.codicon-…`) is drawn (0: none); glyphs sit in their own layer, so by position. */
  async function glyphLine(glyph: string): Promise<number> {
    return session!.workbench.activeEditor().evaluate((editor, cls) => {
      const g = editor.querySelector(cls);
      if (!g) return 0;
      const r = g.getBoundingClientRect();
      const y = r.top + r.height / 2;
      for (const n of Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers'))) {
        const b = n.getBoundingClientRect();
        if (y >= b.top && y < b.bottom) return Number((n.textContent ?? '').trim());
      }
      return 0;
    }, glyph);
  }

  /** The line the editor highlights as the top stack frame (0: none). */
  function highlightedLine(): Promise<number> {
    return glyphLine('.codicon-debug-stackframe');
  }

  it('sets a breakpoint by clicking the gutter inside DxgkDdiBuildPagingBuffer', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // The files were copied in after the window opened: refresh the Explorer, as a user would.
    await wb.runCommand('Refresh Explorer');
    await wb.waitFor(page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'driver.ts' }), 'driver.ts in the Explorer', 30_000);
    await wb.openFile('driver.ts');
    // Bring the line on screen (Go to Line), then click left of its number, where breakpoints go.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    const row = await wb.waitFor(marginRow(line), `line ${line} in the editor`);
    const box = (await row.boundingBox())!;
    const margin = (await wb.activeEditor().locator('.margin').first().boundingBox())!;
    await page.mouse.click(margin.x + 8, box.y + box.height / 2);
    const dot = await wb.poll(() => glyphLine('.codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified'), (n) => n === line);
    assert.equal(dot, line, 'the breakpoint dot is on the clicked line');
    await session!.screenshot('breakpoint-in-gutter');
    const bps = await page.locator('.debug-breakpoints .monaco-list-row').allInnerTexts().catch(() => [] as string[]);
    assert.ok(!bps.length || bps.some((b) => b.includes('driver.ts')), `the breakpoint is listed: ${JSON.stringify(bps)}`);
  });

  it('F5 stops there: the editor highlights the line, the Call Stack shows the driver frame above the kernel, Variables shows the locals', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await wb.activeEditor().click();
    const t0 = Date.now();
    await page.keyboard.press('F5');
    const stopped = await wb.poll(highlightedLine, (n) => n === line, 90_000, 200);
    console.log(`      F5 to the highlighted driver line: ${Date.now() - t0} ms`);
    await session!.screenshot('stopped-on-driver-line');
    assert.equal(stopped, line, 'the editor highlights the breakpoint line');
    const frames = await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => r.includes('DxgkDdiBuildPagingBuffer(Transfer)')),
    );
    const first = frames.findIndex((r) => /DxgkDdiBuildPagingBuffer/.test(r));
    assert.ok(first >= 0 && /driver\.ts/.test(frames[first]) && !frames[first].includes('(Transfer)'), `the driver frame on top: ${JSON.stringify(frames)}`);
    assert.ok(frames.findIndex((r) => r.includes('DxgkDdiBuildPagingBuffer(Transfer)')) > first, 'the kernel frame below it');
    const vars = await wb.poll(
      () => page.locator('.debug-variables .monaco-list-row').allInnerTexts(),
      (rows) => ['t', 'args', 'adapter'].every((n) => rows.some((r) => r.startsWith(`${n}:`) || r.startsWith(`${n} `) || r.split(/[:\s]/)[0] === n)),
    );
    await session!.screenshot('locals-in-variables');
    for (const n of ['t', 'args', 'adapter']) assert.ok(vars.some((r) => r.split(/[:\s]/)[0] === n), `local ${n} in Variables: ${JSON.stringify(vars)}`);
    assert.deepEqual(await wb.notifications(), [], 'no error notifications');
  });

  it('F10 moves the highlight one line down', async function () {
    const wb = session!.workbench;
    await wb.page.keyboard.press('F10');
    const next = await wb.poll(highlightedLine, (n) => n === line + 1, 15_000, 100);
    await session!.screenshot('after-step-over');
    assert.equal(next, line + 1);
  });

  it('Step Back in the toolbar puts the highlight on the breakpoint\'s line again, and F10 steps over it once more', async function () {
    const wb = session!.workbench;
    const t0 = Date.now();
    await wb.page.locator('.debug-toolbar .codicon-debug-step-back').click();
    const back = await wb.poll(highlightedLine, (n) => n === line, 20_000, 100);
    console.log(`      Step Back from a line stepped to from a breakpoint, highlight on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('step-back-to-the-breakpoint');
    assert.equal(back, line);
    assert.deepEqual((await wb.notifications()).filter((n) => /back|could not/i.test(n)), [], 'no error from stepping back');
    await wb.page.keyboard.press('F10');
    assert.equal(await wb.poll(highlightedLine, (n) => n === line + 1, 15_000, 100), line + 1);
  });

  it('Shift+F11 returns to the kernel frame ("DDI returned")', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await page.keyboard.press('Shift+F11');
    const frames = await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => /DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/.test(r)),
      20_000,
    );
    await session!.screenshot('back-in-the-kernel');
    const top = frames.findIndex((r) => /DxgkDdiBuildPagingBuffer/.test(r));
    assert.match(frames[top] ?? '', /DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/, `the kernel's frame on top: ${JSON.stringify(frames)}`);
  });

  it('Reverse Continue in the toolbar from the kernel\'s stop puts the highlight on the breakpoint\'s line in the call that returned; Shift+F11 returns there', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-reverse-continue').click();
    const back = await wb.poll(highlightedLine, (n) => n === line, 20_000, 100);
    console.log(`      Reverse Continue to a driver line breakpoint, highlight on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('reverse-continue-to-the-breakpoint');
    assert.equal(back, line);
    assert.deepEqual((await wb.notifications()).filter((n) => /reverse|back|could not/i.test(n)), [], 'no error from going back');
    await page.keyboard.press('Shift+F11');
    await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => /DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/.test(r)),
      20_000,
    );
  });

  it('Restart Frame on the DDI frame, F11 into the call, F10, then Step Back in the toolbar: the highlight is on the call\'s first line again', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const first = readFileSync(join(SAMPLE, 'driver.ts'), 'utf8').split('\n').findIndex((l) => l.startsWith('function DxgkDdiBuildPagingBuffer(')) + 2;
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: /DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/ }).first().click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Restart Frame' }).first();
    await wb.waitFor(item, "Restart Frame in the DDI frame's context menu");
    await item.hover();
    await page.keyboard.press('Enter');
    // Back at the call's entry: the kernel's DDI frame without its return.
    await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => /^DxgkDdiBuildPagingBuffer\(Transfer\)(?! →)/.test(r)) && !rows.some((r) => /→ STATUS_SUCCESS/.test(r)),
      20_000,
    );
    await page.keyboard.press('F11');
    await wb.poll(highlightedLine, (n) => n === first, 20_000, 100);
    await page.keyboard.press('F10');
    await wb.poll(highlightedLine, (n) => n === first + 1, 20_000, 100);
    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-step-back').click();
    const back = await wb.poll(highlightedLine, (n) => n === first, 20_000, 100);
    console.log(`      Step Back at a driver line to the line before on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('step-back-at-a-driver-line');
    assert.equal(back, first);
    assert.deepEqual((await wb.notifications()).filter((n) => /back|could not/i.test(n)), [], 'no error from stepping back');
    await page.keyboard.press('Shift+F5');
  });
});
