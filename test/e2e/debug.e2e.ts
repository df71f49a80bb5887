// The extension's debugging experience in a real VS Code, as a user drives it. Screenshots of each
// step go to test-results/e2e/debug-pgasm/ and test-results/e2e/debug-driver/.
//
// A .pgasm program: the VRAM view asked for before any session says to start one; F5 with no launch.json (the configuration provider fills it in), the stop, the
// Paging Lab views in Run and Debug, the VRAM hex view opened on a typed address, one GPU step and
// the bytes it wrote highlighted, the occupancy map, the paging buffer as a pgasm document.
//
// The sample driver: "New Driver Project..." into an empty folder, a function breakpoint on
// DxgkDdiBuildPagingBuffer, F5, the arguments in the Variables view, the Disassembly view on the
// paging buffer, the GPU thread stepped one opcode, the written bytes highlighted in the VRAM
// view, and "Who wrote this?" on them (the chain, then the driver's line opened). Prints the
// times from F5 to the stop and from a step to the highlighted bytes, on screen.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { openSession, Session } from './harness';

/** The hex cells of the VRAM view's row at debug address `address`. */
async function rowCells(view: FrameLocator, address: number): Promise<{ text: string; changed: boolean }[]> {
  const row = view.locator(`#rows .row[data-a="${address}"]`).first();
  if (!(await row.count())) return [];
  return row.locator('.hex .b').evaluateAll((cells) => cells.map((c) => ({ text: c.textContent ?? '', changed: c.classList.contains('c') })));
}

/** vram (segment 1) starts at 2^40 in the debug address space. */
const VRAM = 2 ** 40;

/** The VRAM view's page (found by its cursor box: other webviews may be open beside it). */
function vramView(session: Session): Promise<FrameLocator> {
  return session.workbench.webview('#cursor-info', 30_000);
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

  it('opens the VRAM view with no session, saying to start one', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await wb.startCommand('Paging Lab: Open VRAM View');
    // With no session the picker offers the default adapter's segments; an address typed in it works too.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open VRAM View' }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget input').fill('vram:0x1000');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Go to vram:0x1000' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    const view = await vramView(session!);
    const status = await wb.poll(() => view.locator('#status').innerText().catch(() => ''), (t) => t.includes('start one (F5)'), 15_000);
    await session!.screenshot('vram-view-no-session');
    assert.match(status, /No Paging Lab debug session: start one \(F5\) to see memory\./);
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
    const input = page.locator('.quick-input-widget input');
    await session!.workbench.startCommand('Paging Lab: Open VRAM View');
    // The command's own picker: type an address and take the offered "Go to" entry.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open VRAM View' }).waitFor({ state: 'visible' });
    await input.fill('vram:0x1000');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Go to vram:0x1000' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');

    const view = await vramView(session!);
    await view.locator('#rows .row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const before = await wb.poll(() => rowCells(view, VRAM + 0x1000), (cells) => cells.length === 16 && cells.every((c) => c.text.trim() !== ''));
    await session!.screenshot('vram-view-before-step');
    assert.equal(before.length, 16, 'the row at vram:0x1000 is drawn');
    assert.ok(before.every((c) => c.text === '00' && !c.changed), `VRAM is clear before the fill: ${before.map((c) => c.text).join(' ')}`);
    assert.match(await view.locator('#title').innerText(), /vram/);

    // Step one opcode with the debug toolbar, as a user would.
    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-step-over').click();
    const after = await wb.poll(() => rowCells(view, VRAM + 0x1000), (cells) => cells.some((c) => c.changed), 15_000, 100);
    console.log(`      step to highlighted bytes on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('vram-view-after-step');
    assert.deepEqual(after.map((c) => c.text), 'ef be ad de ef be ad de ef be ad de ef be ad de'.split(' '), 'the fill pattern, little endian');
    assert.ok(after.every((c) => c.changed), 'every byte the fill wrote is highlighted');
    // Bytes past the 0x40 filled are unchanged and not highlighted.
    const untouched = await rowCells(view, VRAM + 0x1040);
    assert.ok(untouched.length === 16 && untouched.every((c) => c.text === '00' && !c.changed), `the row after the fill: ${JSON.stringify(untouched)}`);
    // The data inspector decodes the cursor's bytes (the cursor is at vram:0x1000).
    const u32 = await view.locator('#inspector-body tr', { hasText: 'u32' }).innerText();
    assert.match(u32, /3735928559/, `u32 at the cursor is 0xDEADBEEF: ${u32}`);
  });

  it('edits memory by typing hex digits in the VRAM view (writeMemory), moving with the keyboard', async function () {
    const wb = session!.workbench;
    const view = await vramView(session!);
    // The first byte after the fill: click it, type "a5", then the cursor is on the next byte.
    const row = view.locator(`#rows .row[data-a="${VRAM + 0x1040}"]`).first();
    await row.locator('.b[data-o="0"]').click();
    await wb.page.keyboard.type('a5');
    const cells = await wb.poll(() => rowCells(view, VRAM + 0x1040), (c) => c[0]?.text === 'a5' && c[0].changed);
    await wb.page.keyboard.press('ArrowDown');
    // The view redraws on the next animation frame.
    const cursor = await wb.poll(() => view.locator('#cursor-info').innerText(), (t) => /vram:0x1051\b/.test(t), 5_000, 50);
    await session!.screenshot('vram-view-edited');
    assert.equal(cells[0].text, 'a5', 'the byte read back from the debuggee is the typed value');
    assert.ok(cells[0].changed, 'an edited byte counts as changed since the stop');
    assert.equal(cells[1].text, '00');
    assert.match(cursor, /vram:0x1051\b/, `two digits then ArrowDown: the cursor is one byte right, one row down (${cursor})`);
    // Page Down past the viewport of a 256 MiB segment (a pixel there spans many rows): the
    // cursor's row is still drawn.
    // One key at a time: each press reaches the page as its own message, so a poll after three
    // presses could read the cursor after two.
    const cursorAt = (t: string) => parseInt(/vram:0x([0-9a-f]+)/.exec(t)?.[1] ?? 'NaN', 16);
    let at = 0x1051;
    const moves: number[] = [];
    for (let i = 0; i < 3; i++) {
      const from = at;
      await wb.page.keyboard.press('PageDown');
      at = cursorAt(await wb.poll(() => view.locator('#cursor-info').innerText(), (t) => cursorAt(t) !== from, 5_000, 50));
      moves.push(at - from);
    }
    await view.locator('#rows .b.cur').waitFor({ state: 'visible', timeout: 5_000 });
    assert.ok(moves.every((m) => m === moves[0] && m % 16 === 0 && m >= 16 * 5), `each Page Down moves the cursor the same whole rows, a page of them: ${moves.map((m) => m / 16).join(', ')} rows, now vram:0x${at.toString(16)}`);
    await wb.page.keyboard.press('Control+Home');
    await view.locator('#rows .row .b.cur').waitFor({ state: 'visible', timeout: 5_000 });
    const home = await wb.poll(() => view.locator('#cursor-info').innerText(), (t) => /vram:0x0\b/.test(t), 5_000, 50);
    assert.match(home, /vram:0x0\b/, 'Ctrl+Home goes to the segment start');
    // The debuggee's memory has the byte: ask the adapter's console for a dump.
    const page = wb.page;
    // The VRAM view and the Debug Console share the bottom panel.
    await wb.showPanel('Debug Console');
    await page.locator('.repl .repl-input-wrapper .monaco-editor').click();
    await page.keyboard.type('!db 0x10000001040 4');
    await page.keyboard.press('Enter');
    const out = await wb.poll(() => page.locator('.repl .monaco-list-row').allInnerTexts(), (rows) => rows.some((r) => /a5 00 00 00/i.test(r)));
    await session!.screenshot('debug-console-dump');
    assert.ok(out.some((r) => /a5 00 00 00/i.test(r)), `!db shows the written byte: ${JSON.stringify(out.slice(-3))}`);
  });

  it('draws the segment occupancy map in Run and Debug', async function () {
    const wb = session!.workbench;
    const header = await wb.waitFor(wb.page.locator('.pane-header', { hasText: 'Segment Occupancy' }), 'the Segment Occupancy view');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    // The side bar's webview view: the page that draws the map.
    const map = await wb.webview('.occupancy .bar', 30_000);
    const count = await wb.poll(() => map.locator('.occupancy .bar').count(), (n) => n >= 3);
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

  it('offers the first-run walkthrough with its steps', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const input = page.locator('.quick-input-widget input');
    await session!.workbench.startCommand('Welcome: Open Walkthrough');
    await input.fill('Debug your first paging buffer');
    // Chosen with the keyboard once it is the focused row: a click can land on a hover left open by
    // the previous test over the quick pick.
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Debug your first paging buffer' }).first().waitFor();
    await input.press('Enter');
    const steps = await wb.poll(
      () => page.locator('.gettingStartedContainer .getting-started-step .step-title').allInnerTexts(),
      (t) => t.length >= 5,
    );
    await session!.screenshot('walkthrough');
    // Close it, so the walkthrough page does not keep the keyboard.
    await page.locator('.tabs-container .tab.active', { hasText: 'Walkthrough' }).locator('.codicon-close').click();
    assert.deepEqual(steps.map((t) => t.trim()), [
      'Create a driver project from the sample',
      'Break in DxgkDdiBuildPagingBuffer',
      'Press F5',
      'Open the VRAM view',
      'Go back in time',
    ]);
  });

  it('activated on demand, in a time VS Code reports', async function () {
    const wb = session!.workbench;
    await wb.runCommand('Developer: Show Running Extensions');
    const row = await wb.waitFor(wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Paging Lab' }), 'Paging Lab among the running extensions');
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    await session!.screenshot('running-extensions');
    const m = /(Startup )?Activation: (\d+)\s*ms/i.exec(text) ?? /(\d+)\s*ms/.exec(text);
    console.log(`      activation as VS Code reports it: ${m ? m[0] : text}`);
    assert.ok(m, `an activation time for Paging Lab: ${text}`);
    assert.doesNotMatch(text, /Startup Activation/i, 'not activated at startup (on demand only)');
  });

  it('restores the VRAM view on the same place after the window reloads, in the next session', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Where the user left the cursor (Ctrl+Home in the editing step).
    await wb.showPanel('VRAM');
    const shown = await vramView(session!);
    const before = await wb.poll(() => shown.locator('#cursor-info').innerText().catch(() => ''), (t) => t.includes('vram:'));
    assert.match(before, /^vram:0x[0-9a-f]+/, `the cursor before the reload: ${before}`);
    await wb.reloadWindow();
    // The reload ended the session; the next one brings the view back.
    const editor = await wb.openFile('fill.pgasm');
    // F5 picks the debugger from the editor's language, which the reloaded window knows only once
    // the extensions' contributions are read again; before that it is plain text and F5 asks for a
    // debugger instead of starting one.
    const mode = await wb.poll(() => wb.languageMode().catch(() => ''), (m) => m === 'Paging Assembly', 30_000);
    assert.equal(mode, 'Paging Assembly', 'the reloaded window knows the pgasm language before F5');
    // A key pressed while the reloaded window is still wiring itself up can be lost (seen once in a
    // clean-clone CI run: no session, no debugger asked for, nothing on screen). Press again only
    // while nothing has begun: a second F5 into a running session would continue it.
    const begun = (): Promise<number> => page.locator('.debug-toolbar:visible, .debug-call-stack .monaco-list-row:visible, .quick-input-widget:visible').count();
    for (let tries = 1; ; tries++) {
      await editor.click();
      await page.keyboard.press('F5');
      if ((await wb.poll(begun, (n) => n > 0, 10_000)) > 0 || tries === 3) break;
      console.log(`      F5 started nothing within 10 s (try ${tries}): pressing it again`);
    }
    await wb.waitFor('.debug-call-stack .monaco-list-row', 'the Call Stack of the next session', 30_000);
    await wb.showPanel('VRAM', 30_000);
    const view = await vramView(session!);
    const title = await wb.poll(() => view.locator('#title').innerText().catch(() => ''), (t) => t === 'vram', 20_000);
    const cursor = await wb.poll(() => view.locator('#cursor-info').innerText().catch(() => ''), (t) => t.includes('vram:'), 10_000);
    await session!.screenshot('vram-view-restored');
    assert.equal(title, 'vram');
    assert.equal(cursor.split(' ')[0], before.split(' ')[0], 'the cursor is on the byte it was on before the reload');
  });
});

describe('Debugging the sample driver in VS Code (code-server)', function () {
  let session: Session | undefined;
  /** The GPU frame's text once the engine stops in the paging buffer. */
  let nextInstruction = '';
  /** The VRAM view's cursor row before the GPU step. */
  let bytesBeforeStep: string[] = [];

  before(async function () {
    session = await openSession({ fixture: 'debug-driver', name: 'debug-driver' });
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('creates the sample driver project with "New Driver Project..."', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const input = page.locator('.quick-input-widget input');
    await session!.workbench.startCommand('Paging Lab: New Driver Project');
    // VS Code's folder picker (the simple dialog in the browser): the workspace folder, accepted.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'New Paging Lab Driver Project' }).waitFor({ state: 'visible' });
    await input.fill(session!.workspace + '/');
    // The dialog checks the typed path as it resolves it; on a loaded machine it says "The path does
    // not exist" of the existing folder for a while (once for the 2.5 s this waited before) and
    // refuses the click: wait for it to look again, typing the path again every 2 s, up to 20 s.
    const message = page.locator('.quick-input-widget .quick-input-message');
    for (let attempt = 0; attempt < 40; attempt++) {
      await page.waitForTimeout(500);
      const said = (await message.isVisible()) ? await message.innerText() : '';
      if (!/does not exist/i.test(said)) break;
      if (attempt % 4 !== 3) continue;
      await input.fill('');
      await input.fill(session!.workspace + '/');
    }
    await session!.screenshot('new-project-folder');
    await page.locator('.quick-input-widget .quick-input-action, .quick-input-widget .monaco-button', { hasText: /Create Driver Project Here|OK/ }).first().click();
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'driver.ts' }), 'driver.ts opened in an editor', 30_000);
    const files = await wb.poll(
      () => page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts(),
      (rows) => ['driver.ts', 'default.scenario.json', 'paging-lab-ddi.d.ts', '.vscode'].every((f) => rows.some((r) => r.includes(f))),
    );
    await session!.screenshot('new-project-created');
    for (const f of ['driver.ts', 'default.scenario.json', 'paging-lab-ddi.d.ts', 'tsconfig.json', '.vscode']) {
      assert.ok(files.some((r) => r.includes(f)), `${f} in the Explorer: ${JSON.stringify(files)}`);
    }
  });

  it('stops at DxgkDdiBuildPagingBuffer through a function breakpoint after F5', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await wb.addFunctionBreakpoint('DxgkDdiBuildPagingBuffer');
    await session!.screenshot('function-breakpoint');
    await wb.activeEditor().click();
    const t0 = Date.now();
    await page.keyboard.press('F5');
    await wb.waitFor(page.locator('.debug-call-stack .monaco-list-row', { hasText: 'DxgkDdiBuildPagingBuffer' }), 'the DxgkDdiBuildPagingBuffer frame in the Call Stack', 60_000);
    console.log(`      F5 to the breakpoint on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('stopped-at-build-paging-buffer');
    assert.deepEqual(await wb.notifications(), [], 'no error notifications');
  });

  it('shows DXGKARG_BUILDPAGINGBUFFER in the Variables view', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Room for the arguments: fold the Watch view, as a user with a small screen would.
    const watch = page.locator('.pane-header', { hasText: /^Watch/i });
    if ((await watch.getAttribute('aria-expanded')) === 'true') await watch.click();
    const rows = page.locator('.debug-variables .monaco-list-row');
    await wb.waitFor(rows.filter({ hasText: 'DmaSize' }), 'the DmaSize argument', 30_000);
    // The list only renders the rows in view: walk it with the keyboard and collect what it shows.
    const seen = new Set<string>();
    // Click a leaf (a scope's header would fold), then walk from the top.
    await rows.filter({ hasText: 'DmaSize' }).first().click();
    await page.keyboard.press('Home');
    for (let i = 0; i < 40; i++) {
      for (const t of await rows.allInnerTexts()) seen.add(t.replace(/\s+/g, ' ').trim());
      if (i === 0) await session!.screenshot('variables-build-paging-buffer');
      await page.keyboard.press('ArrowDown');
    }
    const all = [...seen];
    for (const name of ['Operation', 'DmaSize', 'pDmaBuffer', 'MultipassOffset']) {
      assert.ok(all.some((r) => r.startsWith(name)), `${name} in the Variables view: ${JSON.stringify(all)}`);
    }
    console.log(`      variables: ${all.slice(0, 30).join(' | ')}`);
  });

  it('opens the VRAM view on pDmaBuffer from the Variables view\'s context menu', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Back to the top of the Variables list (the previous step walked it with the keyboard).
    await page.keyboard.press('Home');
    const variable = page.locator('.debug-variables .monaco-list-row[aria-label^="pDmaBuffer,"]').first();
    await variable.click({ button: 'right' });
    await wb.waitFor(page.locator('.context-view .action-label', { hasText: 'Open in VRAM View' }), 'Open in VRAM View in the variable\'s context menu');
    // Monaco's menus act on the focused item: point at it and press Enter.
    await page.locator('.context-view .action-label', { hasText: 'Open in VRAM View' }).first().hover();
    await page.keyboard.press('Enter');
    const view = await vramView(session!);
    await wb.poll(() => view.locator('#title').innerText().catch(() => ''), (t) => t === 'pDmaBuffer');
    await view.locator('#rows .row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const cursor = await wb.poll(() => view.locator('#cursor-info').innerText(), (t) => /0x[0-9a-f]+/.test(t));
    await session!.screenshot('vram-view-on-dma-buffer');
    assert.equal(await view.locator('#title').innerText(), 'pDmaBuffer');
    // The DMA buffer is in system memory (below the first segment), at the address the variable shows.
    const shown = /pDmaBuffer\s*=\s*(0x[0-9a-f]+)/i.exec((await variable.innerText()).replace(/\s+/g, ' '))?.[1];
    assert.ok(shown, 'the variable shows an address');
    assert.match(cursor, new RegExp(`\\(${shown}\\)|^${shown}\\b`), `the cursor is at pDmaBuffer ${shown}: ${cursor}`);
  });

  it('opens the VRAM view on the allocation being paged in, from the Allocations view', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const header = page.locator('.pane-header', { hasText: 'Allocations' });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const pane = page.locator('.pane', { has: header });
    // The allocation the stopped Transfer pages in ("page in 'texture'" in the Call Stack).
    const row = await wb.waitFor(pane.locator('.monaco-list-row', { hasText: 'texture' }), 'the texture allocation in the Allocations view');
    await row.hover();
    await row.locator('.action-label[aria-label="Open VRAM View"]').click();
    const view = await vramView(session!);
    await view.locator('#rows .row').first().waitFor({ state: 'visible', timeout: 30_000 });
    // The one VRAM panel is retargeted: wait for the new target's title.
    const title = await wb.poll(() => view.locator('#title').innerText(), (t) => /texture/.test(t));
    await session!.screenshot('vram-view-on-texture');
    assert.match(title, /texture/);
    // The allocation's name is drawn in the band beside its first row.
    assert.ok((await view.locator('#rows .band', { hasText: 'texture' }).count()) > 0, 'the allocation is named beside the bytes');
  });

  it('switches to the GPU thread and shows the paging buffer in the Disassembly view', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Let the kernel submit the paging buffer: disable the function breakpoint, then step the GPU
    // thread, which stops before the first opcode the engine executes.
    const bp = page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'DxgkDdiBuildPagingBuffer' });
    await bp.locator('input[type="checkbox"]').uncheck();
    const gpu = page.locator('.debug-call-stack .monaco-list-row', { hasText: 'GPU paging engine' });
    await gpu.click();
    await gpu.hover();
    await gpu.locator('.codicon-debug-step-over').click();
    const frameRow = page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' });
    if (!(await frameRow.first().waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) {
      await gpu.locator('.monaco-tl-twistie').click(); // expand the GPU thread
    }
    const frame = await wb.waitFor(frameRow, 'the GPU frame in the paging buffer', 20_000);
    await frame.click();
    nextInstruction = (await frame.innerText()).split('\n')[0].replace(/\u00a0/g, ' ');
    await session!.screenshot('gpu-thread-in-paging-buffer');
    await wb.runCommand('Open Disassembly View');
    const rows = await wb.poll(
      () => page.locator('.disassembly-view .monaco-list-row').allInnerTexts(),
      (r) => r.some((t) => /\bcopy\b/.test(t)),
      20_000,
    );
    await session!.screenshot('disassembly-view');
    const instruction = nextInstruction.replace(/\s+\[buffer.*$/, '');
    assert.ok(rows.some((t) => t.replace(/\s+/g, ' ').includes(instruction)), `"${instruction}" in the Disassembly view: ${JSON.stringify(rows.slice(0, 12))}`);
    console.log(`      GPU stopped before: ${nextInstruction}`);
  });

  it('steps one opcode on the GPU thread and highlights the written bytes in the VRAM view', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // The opcode's destination, as the user reads it in the frame: "copy local:0x0, mdl(...), 0x10000".
    const dest = /^\w+ ([a-z]+:0x[0-9a-f]+),/i.exec(nextInstruction)?.[1];
    assert.ok(dest, `the next GPU instruction writes a segment: ${nextInstruction}`);
    const input = page.locator('.quick-input-widget input');
    await session!.workbench.startCommand('Paging Lab: Open VRAM View');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open VRAM View' }).waitFor({ state: 'visible' });
    await input.fill(dest);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `Go to ${dest}` }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    const view = await vramView(session!);
    await view.locator('#rows .row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const cursorRow = async () => {
      const rowEl = view.locator('#rows .row', { has: view.locator('.b.cur') }).first();
      return rowEl.locator('.hex .b').evaluateAll((cells) => cells.map((c) => ({ text: c.textContent ?? '', changed: c.classList.contains('c') })));
    };
    const before = await wb.poll(cursorRow, (cells) => cells.length > 0 && cells.every((c) => c.text.trim() !== ''));
    bytesBeforeStep = before.map((c) => c.text);
    await session!.screenshot('vram-view-before-gpu-step');
    assert.ok(before.every((c) => !c.changed), 'nothing highlighted before the step');

    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-step-over').click();
    const after = await wb.poll(cursorRow, (cells) => cells.some((c) => c.changed), 15_000, 100);
    console.log(`      GPU step to highlighted bytes on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('vram-view-after-gpu-step');
    const changed = after.filter((c) => c.changed);
    assert.ok(changed.length > 0, `the bytes "${nextInstruction}" wrote at ${dest} are highlighted: ${JSON.stringify(after)}`);
    // A highlighted byte is one whose value differs from before the step.
    after.forEach((c, i) => assert.equal(c.changed, c.text !== before[i].text, `byte ${i}: ${before[i].text} -> ${c.text}`));
    const next = (await page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first().innerText()).split('\n')[0];
    assert.notEqual(next, nextInstruction, 'the GPU moved to the next opcode');
  });

  it('goes back one opcode with Step Back in the toolbar: the bytes and the instruction marker return', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const view = await vramView(session!);
    const cursorRow = async (): Promise<string[]> => {
      const rowEl = view.locator('#rows .row', { has: view.locator('.b.cur') }).first();
      return rowEl.locator('.hex .b').evaluateAll((cells) => cells.map((c) => c.textContent ?? ''));
    };
    assert.notDeepEqual(await cursorRow(), bytesBeforeStep, 'the step wrote the bytes at the cursor');
    const gpuFrame = async (): Promise<string> => (await page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first().innerText()).split('\n')[0].replace(/\u00a0/g, ' ');
    const t0 = Date.now();
    await page.locator('.debug-toolbar .codicon-debug-step-back').click();
    await wb.poll(gpuFrame, (t) => t === nextInstruction, 30_000, 100);
    const back = await wb.poll(cursorRow, (cells) => cells.join(' ') === bytesBeforeStep.join(' '), 30_000, 100);
    console.log(`      Step Back to the old bytes on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('vram-view-after-step-back');
    assert.deepEqual(back, bytesBeforeStep, 'the bytes the opcode wrote are back to their old values');
    assert.equal(await gpuFrame(), nextInstruction, 'the GPU frame is at the opcode again');
    assert.deepEqual(await wb.notifications(), [], 'no error notifications');
  });

  it('saves the session\'s recording with "Paging Lab: Save Recording..."', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const file = join(session!.workspace, 'session.recording.json');
    await wb.startCommand('Paging Lab: Save Recording');
    // VS Code's save dialog in the browser (the simple dialog): the path typed, then accepted.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Save Recording' }).waitFor({ state: 'visible' });
    const input = page.locator('.quick-input-widget input');
    // The dialog fills in its default (recording.json in the workspace) after it shows: type over it once it has.
    const proposed = await wb.poll(() => input.inputValue(), (v) => v.endsWith('/recording.json'));
    assert.ok(proposed.endsWith('/workspace/recording.json'), `the dialog proposes recording.json in the workspace: ${proposed}`);
    await input.fill(file);
    await wb.poll(() => input.inputValue(), (v) => v === file);
    await session!.screenshot('save-recording-dialog');
    await page.keyboard.press('Enter');
    await wb.waitFor(page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Recording saved to session.recording.json' }), 'the recording saved message', 30_000);
    await session!.screenshot('save-recording-saved');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { format: string; driver: { entry: string }; seed: number; edits: unknown[]; outcome?: unknown };
    assert.equal(rec.format, 'paging-lab-recording');
    assert.equal(rec.driver.entry, 'driver.ts', 'the driver, relative to the recording');
    assert.deepEqual(rec.edits, []);
    assert.equal(rec.outcome, undefined, 'the run has not ended');
  });

  it('answers "Who wrote this?" for the byte at the VRAM view\'s cursor, and opens the driver line that wrote the opcode', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Step Back undid the GPU step: step forward again, so the cursor is on a byte the opcode wrote.
    const gpuFrame = async (): Promise<string> => (await page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first().innerText()).split('\n')[0].replace(/\u00a0/g, ' ');
    await page.locator('.debug-toolbar .codicon-debug-step-over').click();
    await wb.poll(gpuFrame, (t) => t !== nextInstruction, 30_000, 100);
    // The Debug Console was shown over the VRAM view (the console test): bring the view back.
    await wb.showPanel('VRAM');
    const view = await vramView(session!);
    await view.locator('#who').click({ timeout: 30_000 });
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Who wrote' });
    await title.waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await wb.poll(
      () => page.locator('.quick-input-list .monaco-list-row').allInnerTexts(),
      (r) => r.some((t) => /DxgkDdiBuildPagingBuffer #\d+/.test(t)) && r.some((t) => /driver\.ts:\d+/.test(t)),
      30_000,
    );
    await session!.screenshot('who-wrote-this');
    const text = rows.join('\n');
    assert.ok(text.includes(nextInstruction.split('  [')[0].trim()), `names the opcode the step ran (${nextInstruction}):\n${text}`);
    assert.match(text, /DxgkDdiBuildPagingBuffer #\d+ \(Transfer/);
    // The driver's line opens in the editor.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /emit\(args, 'copy'/ }).first().click();
    const copyLine = readFileSync(join(session!.workspace, 'driver.ts'), 'utf8').split('\n').findIndex((l) => l.includes("emit(args, 'copy'")) + 1;
    const at = await wb.poll(async () => Number(/Ln (\d+)/.exec(await wb.statusBarItem('status.editor.selection').innerText())?.[1] ?? 0), (n) => n === copyLine, 15_000);
    await session!.screenshot('who-wrote-this-driver-line');
    assert.equal(at, copyLine, "the editor is on the driver's copy line");
  });

  it('goes to the moment the byte was written from "Who wrote this?"', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const gpuFrame = async (): Promise<string> => (await page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first().innerText()).split('\n')[0].replace(/\u00a0/g, ' ');
    const afterWrite = await gpuFrame();
    await wb.showPanel('VRAM');
    const view = await vramView(session!);
    await view.locator('#who').click({ timeout: 30_000 });
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Who wrote' }).waitFor({ state: 'visible', timeout: 30_000 });
    const go = page.locator('.quick-input-list .monaco-list-row', { hasText: /Go to the moment it was written \(moment \d+\)/ }).first();
    await go.waitFor({ state: 'visible', timeout: 30_000 });
    await session!.screenshot('who-wrote-this-go-to-moment');
    await go.click();
    // The session stops again where the run was once the byte was written (here: the GPU step that wrote it, run ahead of the kernel).
    await wb.waitFor(page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first(), 'the GPU frame after going to the moment', 30_000);
    const frame = await wb.poll(gpuFrame, (t) => t === afterWrite, 30_000, 100);
    await session!.screenshot('who-wrote-this-at-the-moment');
    assert.equal(frame, afterWrite);
    assert.deepEqual((await wb.notifications()).filter((n) => /Go to moment/.test(n)), [], 'no error from going to the moment');
  });

  it('restarts the GPU frame from the Call Stack\'s context menu: back at its paging buffer\'s first opcode', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const gpuRow = page.locator('.debug-call-stack .monaco-list-row', { hasText: '[buffer ' }).first();
    const gpuFrame = async (): Promise<string> => (await gpuRow.innerText()).split('\n')[0].replace(/\u00a0/g, ' ');
    const buffer = /\[buffer (0x[0-9a-f]+)\+(0x[0-9a-f]+)\]/;
    // Into the buffer by an opcode or more (the frame at its first one has nothing to restart).
    for (let i = 0; i < 10 && buffer.exec(await gpuFrame())?.[2] === '0x0'; i++) {
      const was = await gpuFrame();
      await page.locator('.debug-toolbar .codicon-debug-step-over').click();
      await wb.poll(gpuFrame, (t) => t !== was, 30_000, 100);
    }
    const [, base, offset] = buffer.exec(await gpuFrame())!;
    assert.notEqual(offset, '0x0', 'some opcodes into the buffer');
    await gpuRow.click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Restart Frame' }).first();
    await wb.waitFor(item, 'Restart Frame in the frame\'s context menu');
    await session!.screenshot('restart-frame-menu');
    const t0 = Date.now();
    // Monaco's menus act on the focused item: point at it and press Enter.
    await item.hover();
    await page.keyboard.press('Enter');
    const back = await wb.poll(gpuFrame, (t) => buffer.exec(t)?.[2] === '0x0', 30_000, 100);
    console.log(`      Restart Frame to the buffer's first opcode on screen: ${Date.now() - t0} ms`);
    await session!.screenshot('restart-frame-done');
    assert.equal(buffer.exec(back)?.[1], base, 'the same paging buffer, from its start');
    assert.deepEqual((await wb.notifications()).filter((n) => /restart|frame/i.test(n)), [], 'no error from restarting the frame');
  });
});
