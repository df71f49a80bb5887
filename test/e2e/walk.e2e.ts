// The debugging walk a driver developer takes in VS Code, step by step, checked where it used to
// break or read poorly. Screenshots go to test-results/e2e/walk-project/ and walk-samples/.
//
// A new driver project: its launch.json runs the driver or the .pgasm file in the editor, and the
// dynamic configurations list each open file once; the walkthrough's breakpoint condition is set
// the way it says (the pencil); "Open in VRAM View" comes first for pDmaBuffer, and the
// view, loaded while the session started, has the bytes on screen at once, the first time and
// again (timed and printed); the VRAM view reads in segment offsets, takes a bare number as an
// offset in its segment, clears its go-to box, draws the allocations beside their bytes, and
// Ctrl+G goes to its go-to box rather than the editor's Go to Line; F10 on the focused GPU frame
// (from the Call Stack, the pgasm editor or the VRAM view, with the DDI breakpoint enabled or not)
// steps one opcode on the GPU and keeps its frame focused on the paging buffer's pgasm document.
//
// The samples folder, no launch.json: F5 on a buggy driver offers that driver to debug.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { openSession, Session } from './harness';
import { ROOT } from './harness/environment';

function vramView(session: Session): Promise<FrameLocator> {
  return session.workbench.webview('#cursor-info', 30_000);
}

/** The rows of the VRAM view with their bytes read (hex cells filled in). */
async function filledRows(view: FrameLocator): Promise<number> {
  return view.locator('#rows .row .hex .b').evaluateAll((cells) => cells.filter((c) => /^[0-9a-f]{2}$/.test(c.textContent ?? '')).length);
}

/** Folds the side-bar views named that are open (as a user makes room); returns what opens them again. */
async function fold(session: Session, names: string[]): Promise<() => Promise<void>> {
  const page = session.workbench.page;
  const folded: string[] = [];
  for (const name of names) {
    const h = page.locator('.pane-header', { hasText: name }).first();
    if ((await h.getAttribute('aria-expanded')) === 'true') {
      await h.click();
      folded.push(name);
    }
  }
  return async () => {
    for (const name of folded) await page.locator('.pane-header', { hasText: name }).first().click();
  };
}

describe('The debugging walk in a new driver project (code-server)', function () {
  let session: Session | undefined;

  before(async function () {
    session = await openSession({ fixture: 'debug-driver', name: 'walk-project' });
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('New Driver Project writes a launch.json for the driver and for the .pgasm file in the editor, naming the files it writes', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await wb.startCommand('Paging Lab: New Driver Project');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'New Paging Lab Driver Project' }).waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget input').fill(session!.workspace + '/');
    await page.locator('.quick-input-widget .quick-input-action, .quick-input-widget .monaco-button', { hasText: /Create Driver Project Here|OK/ }).first().click();
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'driver.ts' }), 'driver.ts opened in an editor', 30_000);
    await session!.screenshot('project-created');
    const launch = JSON.parse(readFileSync(join(session!.workspace, '.vscode', 'launch.json'), 'utf8')) as { configurations: Record<string, unknown>[] };
    assert.deepEqual(launch.configurations.map((c) => c.name), ['Debug driver (Paging Lab)', 'Run the pgasm file in the editor']);
    assert.equal(launch.configurations[1].program, '${file}');
    const scenario = String(launch.configurations[0].scenario).replace('${workspaceFolder}', session!.workspace);
    assert.ok(existsSync(scenario), `the driver configuration names the scenario the project has: ${scenario}`);
  });

  it('the walkthrough sets a breakpoint condition with the pencil, and the pencil does it', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    await wb.startCommand('Welcome: Open Walkthrough');
    await page.locator('.quick-input-widget input').fill('Debug your first paging buffer');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug your first paging buffer' }).first().click();
    await wb.waitFor(page.locator('.getting-started-step .step-title', { hasText: 'Break in DxgkDdiBuildPagingBuffer' }), 'the breakpoint step');
    await page.locator('.getting-started-step', { hasText: 'Break in DxgkDdiBuildPagingBuffer' }).first().click();
    // The step's page (a webview beside the steps).
    const media = await wb.webview('code', 15_000);
    const text = await wb.poll(async () => ((await media.locator('body').textContent()) ?? '').replace(/\s+/g, ' '), (t) => t.includes('Operation =='));
    await session!.screenshot('walkthrough-breakpoint-step');
    await page.locator('.tabs-container .tab.active', { hasText: 'Walkthrough' }).locator('.codicon-close').click();
    assert.match(text, /pencil/i, `the step describes the pencil: ${text}`);
    assert.doesNotMatch(text, /Right-click the breakpoint, Edit Condition/i);

    // Do what it says: add the function breakpoint, click its pencil, Edit Condition..., type it.
    const row = await wb.addFunctionBreakpoint('DxgkDdiBuildPagingBuffer');
    await row.hover();
    await row.locator('.action-label.codicon-edit').click();
    await wb.waitFor(page.locator('.context-view .action-label', { hasText: 'Edit Condition...' }), 'the pencil\'s menu');
    await page.locator('.context-view .action-label', { hasText: 'Edit Condition...' }).first().hover();
    await page.keyboard.press('Enter');
    const condition = await wb.waitFor('.debug-breakpoints .monaco-inputbox input', 'the condition box');
    await condition.fill('Operation == "Transfer"');
    await page.keyboard.press('Enter');
    const html = await wb.poll(() => row.evaluate((el) => el.outerHTML), (h) => h.includes('Condition: '));
    await session!.screenshot('breakpoint-with-condition');
    assert.match(html, /Condition: Operation == (&quot;|")Transfer(&quot;|")/, 'the breakpoint has the condition');
    assert.match(await row.innerText(), /^DxgkDdiBuildPagingBuffer/, 'and keeps its name');
  });

  it('stops there, with "Open in VRAM View" first in pDmaBuffer\'s context menu; the view opens on it, and again at once', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const editor = await wb.openFile('driver.ts');
    await editor.click();
    const f5 = await page.evaluate(() => performance.timeOrigin + performance.now());
    await page.keyboard.press('F5');
    await wb.waitFor(page.locator('.debug-call-stack .monaco-list-row', { hasText: 'DxgkDdiBuildPagingBuffer' }), 'the DxgkDdiBuildPagingBuffer frame', 60_000);
    const variable = await wb.waitFor(page.locator('.debug-variables .monaco-list-row[aria-label^="pDmaBuffer,"]'), 'pDmaBuffer in Variables', 30_000);
    // The VRAM view loads while the session starts, out of sight: the panel shows the Debug Console.
    // (A user who opens the view before it has loaded waits
    // for the rest of the load; the time it takes is printed.)
    const warm = await vramView(session!);
    const loaded = await warm.locator('body').evaluate(() => performance.timeOrigin + (performance.getEntriesByName('vram:script')[0]?.startTime ?? NaN));
    const panelTab = await page.locator('.part.panel .composite-bar .action-item.checked .action-label').first().getAttribute('aria-label');
    console.log(`      the VRAM view's page ran its script ${Math.round(loaded - f5)} ms after F5, hidden; the panel shows ${panelTab}`);
    assert.match(panelTab ?? '', /^Debug Console/, 'the panel is given back to the Debug Console');
    await variable.click({ button: 'right' });
    const items = page.locator('.context-view .action-label');
    await wb.waitFor(items.first(), 'the variable\'s context menu');
    const labels = (await items.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await session!.screenshot('variables-context-menu');
    assert.equal(labels[0], 'Open in VRAM View', `the first item: ${JSON.stringify(labels)}`);
    await items.filter({ hasText: 'Open in VRAM View' }).first().hover();
    // The view's page marks its own timeline (script, init, first read, first bytes drawn; a later
    // open's marks as name#N); both pages' clocks count from the same epoch, so the marks read as
    // times since the key press. The view was loaded, out of sight, while the session started.
    const pressed = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    const view = await vramView(session!);
    const pageTimeline = () =>
      view.locator('body').evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('vram:')).map((m) => ({ name: m.name.slice(5), at: performance.timeOrigin + m.startTime }));
        return { origin: performance.timeOrigin, loaded: performance.timeOrigin + (nav?.responseEnd ?? 0), marks };
      });
    // This open's marks: the first of each name made after the key press.
    const drawnAfter = (t: Awaited<ReturnType<typeof pageTimeline>>, name: string) => t.marks.filter((m) => m.name.split('#')[0] === name && m.at >= pressed).map((m) => Math.round(m.at - pressed))[0];
    const timeline = await wb.poll(pageTimeline, (t) => drawnAfter(t, 'bytes') !== undefined, 15_000, 20);
    await wb.poll(() => filledRows(view), (n) => n >= 16, 15_000, 20);
    const found = Date.now() - t0;
    const after = (name: string) => drawnAfter(timeline, name);
    const onScreen = after('bytes');
    console.log(
      `      Open in VRAM View, ms after Enter: init ${after('init')}, first read ${after('read')}, bytes on screen ${onScreen} (the test saw them at ${found}); ` +
        `the page was requested ${Math.round(pressed - timeline.origin)} ms and loaded ${Math.round(pressed - timeline.loaded)} ms before Enter`,
    );
    assert.ok(onScreen !== undefined && onScreen < 2_000, `the bytes drawn by this open, soon after Enter: ${onScreen} ms`);
    await session!.screenshot('vram-view-on-dma-buffer');
    assert.equal(await view.locator('#title').innerText(), 'pDmaBuffer');

    // Later opens: the view reveals and aims the same page; the page marks that open's timeline as name#N.
    const reopens: string[] = [];
    const opened = timeline.marks.filter((m) => m.name.startsWith('init')).length;
    for (let n = opened + 1; n <= opened + 3; n++) {
      const row = await wb.waitFor(page.locator('.debug-variables .monaco-list-row[aria-label^="pDmaBuffer,"]'), 'pDmaBuffer in Variables');
      await row.click({ button: 'right' });
      await items.filter({ hasText: 'Open in VRAM View' }).first().hover();
      const again = await page.evaluate(() => performance.timeOrigin + performance.now());
      await page.keyboard.press('Enter');
      const marks = await wb.poll(
        () => view.locator('body').evaluate((_, k) => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.endsWith(`#${k}`)).map((m) => [m.name.slice(5, -`#${k}`.length), performance.timeOrigin + m.startTime])), n),
        (m: Record<string, number>) => m.bytes !== undefined,
        15_000,
        20,
      );
      assert.ok(marks.bytes !== undefined, `open ${n}: the bytes were drawn (${JSON.stringify(marks)})`);
      reopens.push(`init ${Math.round(marks.init - again)}, first read ${Math.round(marks.read - again)}, bytes on screen ${Math.round(marks.bytes - again)}`);
    }
    console.log(`      Open in VRAM View again, ms after Enter: ${reopens.join('; ')}`);

    // The baseline, measured the same way right after: VS Code's own Markdown preview, a webview
    // panel of a built-in extension. Where both spend the same, the time is the workbench's.
    await wb.openFile('README.md');
    const mdPressed = await page.evaluate(() => performance.timeOrigin + performance.now());
    await wb.runCommand('Markdown: Open Preview to the Side');
    const preview = await wb.webview('.markdown-body', 30_000);
    await preview.locator('.markdown-body p').first().waitFor({ state: 'visible', timeout: 15_000 });
    const md = await preview.locator('body').evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { origin: performance.timeOrigin, workerStart: nav?.workerStart ?? 0, responseEnd: nav?.responseEnd ?? 0, now: performance.now() };
    });
    const mdSince = (ms: number) => Math.round(md.origin + ms - mdPressed);
    console.log(
      `      Markdown: Open Preview to the Side (baseline), ms after the command: page requested ${mdSince(0)} (worker ${mdSince(md.workerStart)}), loaded ${mdSince(md.responseEnd)}, text on screen by ${mdSince(md.now)}`,
    );
    await session!.screenshot('markdown-preview-baseline');
    await page.locator('.tabs-container .tab.active', { hasText: 'Preview' }).locator('.codicon-close').click();
  });

  it('reads the VRAM view in segment offsets, takes a bare number in its segment, draws the allocations, and Ctrl+G goes to its box', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const header = page.locator('.pane-header', { hasText: 'Allocations' });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const alloc = await wb.waitFor(page.locator('.pane', { has: header }).locator('.monaco-list-row', { hasText: 'texture' }), 'the texture allocation');
    await alloc.hover();
    await alloc.locator('.action-label[aria-label="Open VRAM View"]').click();
    const view = await vramView(session!);
    await wb.poll(() => view.locator('#title').innerText(), (t) => /texture/.test(t));
    await wb.poll(() => filledRows(view), (n) => n >= 16);
    const addrs = await view.locator('#rows .row .addr').allInnerTexts();
    const band = view.locator('#rows .band.bs', { hasText: 'texture' }).first();
    await band.waitFor({ state: 'visible', timeout: 10_000 });
    await session!.screenshot('vram-view-allocation-band');
    assert.match(addrs[0], /^0x[0-9a-f]{4,}$/, `the address column shows segment offsets: ${addrs.slice(0, 3)}`);
    const box = await band.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, width: r.width }; });
    const width = await view.locator('body').evaluate((b) => b.clientWidth);
    assert.ok(box.x >= 0 && box.x + 20 < width, `the allocation's name is on screen: ${JSON.stringify(box)} in ${width} px`);
    const cursor = await view.locator('#cursor-info').innerText();
    const segment = /^(\w+):0x/.exec(cursor)?.[1];
    assert.ok(segment && /\(0x[0-9a-f]{6,}\)/.test(cursor), `the cursor line has the segment offset and the debug address: ${cursor}`);

    // Ctrl+G with the keyboard in the view: its go-to box, not the editor's Go to Line.
    await view.locator('#rows .row .hex .b').first().click();
    await page.keyboard.press('Control+G');
    const focused = await wb.poll(() => view.locator('body').evaluate(() => document.activeElement?.id ?? ''), (id) => id === 'goto', 5_000, 50);
    const quickInput = await page.locator('.quick-input-widget').isVisible();
    await session!.screenshot('vram-view-ctrl-g');
    assert.equal(quickInput, false, 'no Go to Line box in the workbench');
    assert.equal(focused, 'goto', 'the view\'s go-to box has the keyboard');

    // A bare number is an offset in the view's segment; the box is empty again after the jump.
    await page.keyboard.type('0x20000');
    await page.keyboard.press('Enter');
    const moved = await wb.poll(() => view.locator('#cursor-info').innerText(), (t) => t.startsWith(`${segment}:0x20000 `), 5_000, 50);
    await session!.screenshot('vram-view-bare-offset');
    assert.match(moved, new RegExp(`^${segment}:0x20000 `), `0x20000 in the ${segment} view stays in ${segment}: ${moved}`);
    assert.equal(await view.locator('#goto').inputValue(), '', 'the go-to box is cleared after the jump');
    assert.equal(await view.locator('#rows .row .addr', { hasText: /^0x0*20000$/ }).count(), 1, 'the row at offset 0x20000 is drawn');
  });

  it('opens the Disassembly view from the DDI frame on the buffer the driver wrote: short bytes, an end marker, no wall of invalid rows', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Step Out: the driver has written its paging buffer; the DDI's frame points at the write pointer.
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'DxgkDdiBuildPagingBuffer' }).first().click();
    await page.locator('.debug-toolbar .codicon-debug-step-out').click();
    const returned = await wb.waitFor(page.locator('.debug-call-stack .monaco-list-row', { hasText: 'STATUS_SUCCESS' }), 'the DDI frame after the return', 30_000);
    await returned.click();
    // The editor's highlight leaves the DDI's first line for its return (or its closing brace when
    // it has several returns): the function has run.
    const driver = readFileSync(join(session!.workspace, 'driver.ts'), 'utf8').split('\n');
    const first = driver.findIndex((l) => l.startsWith('function DxgkDdiBuildPagingBuffer(')) + 1;
    const end = driver.findIndex((l, i) => i >= first && l === '}') + 1;
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'driver.ts' }), 'driver.ts in the editor');
    const at = await wb.poll(async () => Number(/Ln (\d+)/.exec(await wb.statusBarItem('status.editor.selection').innerText())?.[1] ?? 0), (n) => n > first);
    await session!.screenshot('step-out-highlight');
    assert.ok(at > first && at <= end, `the highlight is inside DxgkDdiBuildPagingBuffer (lines ${first}-${end}) past its first line: line ${at}`);
    assert.match(driver[at - 1], /^\s*(return\b|\}$)/, `a return or the closing brace: ${JSON.stringify(driver[at - 1])}`);
    assert.ok((await page.locator('.editor-group-container.active .debug-top-stack-frame-line').count()) > 0, 'the line is highlighted');
    await wb.runCommand('Open Disassembly View');
    const rows = await wb.poll(
      async () => (await page.locator('.disassembly-view .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()),
      (r) => r.some((t) => /\bcopy\b/.test(t)),
      20_000,
    );
    await session!.screenshot('disassembly-on-ddi-frame');
    assert.ok(rows.some((t) => /\bcopy\b/.test(t)), `the instructions the driver wrote: ${JSON.stringify(rows.slice(0, 12))}`);
    assert.ok(!rows.some((t) => /\(invalid/.test(t)), `no invalid instructions around the buffer: ${JSON.stringify(rows)}`);
    assert.ok(!rows.some((t) => /(?:\b[0-9a-f]{2} ){7}/.test(t)), `the bytes column is short: ${JSON.stringify(rows.slice(0, 6))}`);
    assert.equal(rows.filter((t) => /\(end of paging buffer\)/.test(t)).length, 1, `one end marker where the driver stopped writing: ${JSON.stringify(rows)}`);
    const endRow = rows.findIndex((t) => /\(end of paging buffer\)/.test(t));
    assert.ok(rows.slice(endRow + 1).every((t) => /\.(u8|zero) /.test(t)), `data after it: ${JSON.stringify(rows.slice(endRow, endRow + 4))}`);
    assert.ok(rows.some((t) => /\.zero 0x[0-9a-f]+/.test(t)), `a run of zeros is one .zero row: ${JSON.stringify(rows.slice(endRow, endRow + 4))}`);
    // Closed by its command: the floating debug toolbar (wider since Step Back and Reverse Continue) can cover the tab's close button.
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'Disassembly' }), 'the Disassembly tab, active');
    await wb.runCommand('View: Close Editor');
    await wb.poll(() => page.locator('.tabs-container .tab', { hasText: 'Disassembly' }).count(), (n) => n === 0);
  });

  it('draws Segment Occupancy in the editor\'s font at a fixed size, with names, a legend and free space', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const header = await wb.waitFor(page.locator('.pane-header', { hasText: 'Segment Occupancy' }), 'the Segment Occupancy view');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    // Room for the map: the side bar holds a dozen views; fold the ones above it that take space
    // (as a user would), and open them again afterwards.
    const unfold = await fold(session!, ['Variables', 'Watch', 'Breakpoints', 'Allocations']);
    const body = page.locator('.pane', { has: header }).locator('.pane-body');
    const height = await wb.poll(() => body.evaluate((el) => el.getBoundingClientRect().height), (h) => h >= 150, 10_000);
    const map = await wb.webview('.occupancy .bar', 30_000);
    const style = await map.locator('.heading .name').first().evaluate((el) => ({ size: getComputedStyle(el).fontSize, family: getComputedStyle(el).fontFamily }));
    const legend = await map.locator('.legend').innerText();
    const named = await map.locator('.block .block-name').allInnerTexts();
    await session!.screenshot('segment-occupancy');
    await unfold();
    assert.ok(height >= 150, `the map is on screen, not folded to its header: ${height} px`);
    assert.ok(parseFloat(style.size) <= 16, `the text stays the editor's size: ${style.size}`);
    assert.match(style.family, /mono|courier|consol|droid/i, `the editor's font: ${style.family}`);
    for (const s of ['resident', 'locked', 'busy', 'free', 'evicted']) assert.match(legend, new RegExp(s), `legend: ${legend}`);
    assert.ok(named.length > 0, 'blocks wide enough carry their names');
  });

  it('steps the GPU thread one opcode with F10 on its focused frame, with the DDI breakpoint enabled and without, from the Call Stack and from the VRAM view', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    // Room for the Call Stack and Variables in the side bar.
    const unfold = await fold(session!, ['Watch', 'Breakpoints', 'Allocations', 'Segment Occupancy']);
    const stack = page.locator('.debug-call-stack');
    const gpuThread = stack.locator('.monaco-list-row', { hasText: 'GPU paging engine' }).first();
    // Before any paging buffer runs, the engine's frame names what it waits for.
    await gpuThread.click();
    if (!(await stack.locator('.monaco-list-row', { hasText: /engine 0 / }).first().waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) {
      await gpuThread.locator('.monaco-tl-twistie').click(); // expand the GPU thread
    }
    const idle = await wb.waitFor(stack.locator('.monaco-list-row', { hasText: /engine 0 idle/ }), 'the idle engine\'s frame', 10_000);
    const idleText = (await idle.innerText()).replace(/\s+/g, ' ');
    await session!.screenshot('gpu-thread-idle');
    assert.match(idleText, /engine 0 idle, waiting for work \(fence \d+ done\)/);
    assert.doesNotMatch(idleText, /Unknown Source/);

    // Which frame VS Code has focused is what Variables shows: the engine's registers or the DDI's
    // arguments. The Call Stack's highlighted row does not tell: after a stop it re-selects the row
    // at the place of the previous focus (the kernel's top frame again) before VS Code has focused
    // anything, and it shows no row at all when it draws the focus before the thread's frames.
    const variables = page.locator('.debug-variables .monaco-list-row');
    const shown = async () => (await variables.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const onRegisters = (v: string[]) => v.includes('Registers') && !v.some((t) => t.startsWith('Arguments ('));
    const onArguments = (v: string[]) => v.some((t) => t.startsWith('Arguments (DxgkDdiBuildPagingBuffer)')) && !v.includes('Registers');
    const pcAt = (offset: string) => (v: string[]) => onRegisters(v) && v.some((t) => t === `pc = ${offset}`);
    const gpuTop = stack.locator('.monaco-list-row', { hasText: /engine 0 |\[buffer / }).first();
    const gpuFrame = stack.locator('.monaco-list-row', { hasText: '[buffer ' }).first();
    const rowText = async (row: typeof gpuFrame) => ((await row.innerText().catch(() => '')).split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
    const kernelFrame = stack.locator('.monaco-list-row', { hasText: 'DxgkDdiBuildPagingBuffer(' }).first();
    const offsetOf = (frame: string) => /\+(0x[0-9a-f]+)\]$/.exec(frame)?.[1] ?? '(no offset)';
    const instructionOf = (frame: string) => frame.replace(/\s+\[buffer.*$/, '');
    const bufferTab = page.locator('.tabs-container .tab.active', { hasText: /submission \d+ at 0x[0-9a-f]+\.pgasm/ });
    const editorLine = async () => {
      // The text of the line the paging buffer's editor marks as the top stack frame's.
      const editor = page.locator('.editor-group-container', { has: bufferTab }).locator('.monaco-editor').first();
      const top = await editor.locator('.view-overlays .debug-top-stack-frame-line').first().evaluate((el) => (el.parentElement as HTMLElement).style.top).catch(() => '');
      const lines = editor.locator('.view-lines .view-line');
      for (let i = 0; i < (await lines.count()); i++) if ((await lines.nth(i).evaluate((el) => (el as HTMLElement).style.top)) === top) return (await lines.nth(i).innerText()).replace(/\s+/g, ' ').trim();
      return '';
    };
    /** After a GPU step: the engine's frame moved on, and VS Code focuses it on its pgasm line with its registers. */
    const steppedFrom = async (before: string, what: string) => {
      const after = await wb.poll(() => rowText(gpuFrame), (t) => t.includes('[buffer ') && t !== before, 20_000, 100);
      assert.notEqual(after, before, `${what}: the GPU ran one opcode`);
      const vars = await wb.poll(shown, pcAt(offsetOf(after)), 15_000, 100);
      assert.ok(pcAt(offsetOf(after))(vars), `${what}: Variables shows the GPU frame's registers, pc = ${offsetOf(after)}: ${JSON.stringify(vars.slice(0, 6))}`);
      await wb.waitFor(bufferTab, `${what}: the paging buffer as a pgasm document in the editor`);
      const marked = await wb.poll(editorLine, (t) => t.includes(instructionOf(after)));
      assert.ok(marked.includes(instructionOf(after)), `${what}: the marked line is "${instructionOf(after)}", not "${marked}"`);
      return after;
    };

    // The breakpoint enabled: Continue stops at the next DxgkDdiBuildPagingBuffer call until the
    // kernel has given the engine a paging buffer. Each time, the GPU frame is focused first, so the
    // stop's own focus (VS Code moves it to the stopped kernel thread once it has that thread's
    // frames, under load a second later) is seen arriving: Variables turns from registers to arguments.
    for (let i = 0; i < 6 && !(await gpuFrame.count()); i++) {
      await gpuTop.click();
      assert.ok(onRegisters(await wb.poll(shown, onRegisters, 15_000, 100)), 'selecting the GPU frame focuses it');
      await page.locator('.debug-toolbar .codicon-debug-continue').click();
      await page.mouse.move(700, 750); // a hovered thread shows its step buttons instead of its state
      const vars = await wb.poll(shown, onArguments, 20_000, 100);
      assert.ok(onArguments(vars), `the stop at DxgkDdiBuildPagingBuffer focuses the kernel's frame: ${JSON.stringify(vars.slice(0, 4))}`);
    }
    assert.ok(await gpuFrame.count(), 'the engine has a paging buffer to run');
    const kernelTop = await rowText(kernelFrame);
    const queued = await rowText(gpuFrame);
    await gpuFrame.click();
    await page.mouse.move(700, 750);
    // Focused: the frame's paging buffer is open with the instruction marked, its registers shown.
    await wb.waitFor(bufferTab, 'the paging buffer as a pgasm document, on selecting the GPU frame');
    assert.ok(pcAt(offsetOf(queued))(await wb.poll(shown, pcAt(offsetOf(queued)), 15_000, 100)), `selecting the GPU frame shows its registers, pc = ${offsetOf(queued)}`);
    await page.keyboard.press('F10');
    const first = await steppedFrom(queued, 'F10 on the selected GPU frame');
    assert.equal(await rowText(kernelFrame), kernelTop, 'the kernel waits at the same DDI call');
    await session!.screenshot('gpu-step-focused-pgasm');

    // Again from the keyboard (now in the pgasm editor VS Code focused): one opcode further.
    await page.keyboard.press('F10');
    const second = await steppedFrom(first, 'F10 again');
    assert.equal(await rowText(kernelFrame), kernelTop, 'the kernel did not go on');
    await wb.runCommand('Open Disassembly View');
    const rows = await wb.poll(async () => (await page.locator('.disassembly-view .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')), (r) => r.some((t) => t.includes(instructionOf(second))));
    assert.ok(rows.some((t) => t.includes(instructionOf(second))), 'Open Disassembly View works on the focused GPU frame');
    // Closed by its command: the floating debug toolbar can cover the tab's close button.
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'Disassembly' }), 'the Disassembly tab, active');
    await wb.runCommand('View: Close Editor');
    await wb.poll(() => page.locator('.tabs-container .tab', { hasText: 'Disassembly' }).count(), (n) => n === 0);

    // F10 with the keyboard in the VRAM view: the GPU steps, and its frame is focused again.
    await wb.startCommand('Paging Lab: Open VRAM View');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Current DMA buffer' }).first().click();
    const view = await vramView(session!);
    await wb.poll(() => filledRows(view), (n) => n >= 16);
    await view.locator('#rows .row .hex .b').first().click();
    await page.keyboard.press('F10');
    const third = await steppedFrom(second, 'F10 in the VRAM view');
    assert.equal(await rowText(kernelFrame), kernelTop, 'the kernel did not go on');
    await session!.screenshot('gpu-step-from-vram-view');

    // Without the DDI breakpoint: the same, from the Call Stack.
    await wb.runCommand('Disable All Breakpoints');
    await gpuFrame.click();
    await page.mouse.move(700, 750);
    assert.ok(pcAt(offsetOf(third))(await wb.poll(shown, pcAt(offsetOf(third)), 15_000, 100)), 'the GPU frame is focused');
    await page.keyboard.press('F10');
    await steppedFrom(third, 'F10 on the GPU frame with the breakpoint disabled');
    assert.equal(await rowText(kernelFrame), kernelTop, 'the kernel did not go on');
    await session!.screenshot('gpu-step-no-breakpoint');
    await wb.runCommand('Enable All Breakpoints');
    await unfold();
  });

  it('runs the .pgasm file in the editor from its launch configuration, and offers each open file once', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    if (await page.locator('.debug-toolbar').isVisible()) await wb.runCommand('Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 20_000 });
    // A .pgasm file lands in the project (as a user would save one there), then opens.
    copyFileSync(join(ROOT, 'test', 'e2e', 'fixtures', 'debug-pgasm', 'fill.pgasm'), join(session!.workspace, 'fill.pgasm'));
    const explorer = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fill.pgasm' });
    if (!(await explorer.isVisible())) await page.keyboard.press('Control+Shift+E');
    await wb.waitFor(explorer, 'fill.pgasm in the Explorer', 30_000);
    await explorer.first().dblclick();
    await wb.waitFor(page.locator('.tabs-container .tab.active', { hasText: 'fill.pgasm' }), 'fill.pgasm in an editor');

    // The dynamic configurations: Select and Start Debugging, then Paging Lab's entry.
    await wb.startCommand('Debug: Select and Start Debugging');
    await wb.waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run the pgasm file in the editor' }), 'the launch.json configurations');
    const launchRows = await wb.quickPickRows();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /Paging Lab \(WDDM driver\)\.\.\./ }).first().click();
    // Paging Lab's own list replaces the first one.
    const dynamic = await wb.poll(() => wb.quickPickRows(), (r) => r.length > 0 && !r.some((t) => t.includes('launch.json') || t.includes('...')));
    await session!.screenshot('dynamic-configurations');
    await page.keyboard.press('Escape');
    const count = (re: RegExp) => dynamic.filter((t) => re.test(t)).length;
    assert.equal(count(/^Run fill\.pgasm/), 1, `the open .pgasm once: ${JSON.stringify(dynamic)}`);
    assert.equal(count(/^Debug driver\.ts/), 1, `the open driver once: ${JSON.stringify(dynamic)}`);
    assert.ok(launchRows.some((t) => t.startsWith('Run the pgasm file in the editor')), JSON.stringify(launchRows));

    // The launch.json configuration, started with the .pgasm file in the editor.
    await wb.activeEditor().click();
    await wb.startCommand('Debug: Select and Start Debugging');
    await wb.waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run the pgasm file in the editor' }), 'the pgasm configuration');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run the pgasm file in the editor' }).first().click();
    await page.keyboard.press('Control+Shift+D');
    const stack = await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (rows) => rows.some((r) => r.includes('fill.pgasm')),
      30_000,
    );
    await session!.screenshot('pgasm-configuration-running');
    assert.ok(stack.some((r) => r.includes('fill.pgasm')), `the program runs, not the driver: ${JSON.stringify(stack)}`);
    assert.ok(!stack.some((r) => r.includes('DxgkDdi')), 'no DDI frame');
    await wb.runCommand('Debug: Stop');
  });
});

describe('The samples folder without a launch.json (code-server)', function () {
  let session: Session | undefined;

  before(async function () {
    session = await openSession({ folder: 'samples', name: 'walk-samples' });
  });

  after(async function () {
    await session?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.screenshot(`failed-${this.currentTest.title}`).catch(() => undefined);
  });

  it('F5 on a buggy driver offers that driver first under Paging Lab, and debugs it', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const editor = await wb.openFile('drivers/buggy/dma-buffer-overrun.ts');
    await editor.click();
    await page.keyboard.press('F5');
    const more = await wb.waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: /More Paging Lab \(WDDM driver\) options/ }), 'Paging Lab in the debugger picker', 30_000);
    await session!.screenshot('debugger-picker');
    await more.click();
    // Paging Lab's own list, once it has replaced the first one (which may already show a Debug row
    // of ours among the other debuggers' entries: a poll that took any Debug row read that list).
    const rows = await wb.poll(() => wb.quickPickRows(), (r) => r.length > 0 && r.every((t) => /^(Debug|Run) /.test(t)));
    await session!.screenshot('paging-lab-options');
    assert.match(rows[0], /^Debug drivers\/buggy\/dma-buffer-overrun\.ts/, `the driver in the editor first: ${JSON.stringify(rows)}`);
    assert.equal(rows.filter((t) => /reference\/driver\.ts/.test(t)).length, 1, `each driver once: ${JSON.stringify(rows)}`);
    await page.locator('.quick-input-list .monaco-list-row').first().click();
    // The verifier stops the overrun: the session runs this driver, not the reference one.
    const stack = await wb.poll(
      () => page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(),
      (r) => r.some((t) => /DxgkDdi/.test(t)),
      60_000,
    );
    await session!.screenshot('buggy-driver-stopped');
    assert.ok(stack.some((t) => /dma-buffer-overrun/.test(t)), `the session debugs the driver in the editor: ${JSON.stringify(stack)}`);
  });

  it('the verifier\'s stop is on the driver line that broke the rule, the DDI\'s frame under it', async function () {
    const wb = session!.workbench;
    const page = wb.page;
    const file = readFileSync(join(ROOT, 'samples', 'drivers', 'buggy', 'dma-buffer-overrun.ts'), 'utf8').split('\n');
    const write = file.findIndex((l) => l.includes('p.Offset += writeInstruction(')) + 1;
    const rows = (await page.locator('.debug-call-stack .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    const top = rows.findIndex((t) => t.startsWith('verifier: dma-buffer-overrun'));
    assert.ok(top >= 0, `the rule's frame: ${JSON.stringify(rows)}`);
    assert.match(rows[top + 1], /^DxgkDdiBuildPagingBuffer\(Transfer\)/, `the DDI under it: ${JSON.stringify(rows)}`);
    assert.match(rows[top], new RegExp(`dma-buffer-overrun\\.ts ${write}:`), `the write that overran, line ${write}: ${rows[top]}`);
    const at = await wb.poll(async () => Number(/Ln (\d+)/.exec(await wb.statusBarItem('status.editor.selection').innerText())?.[1] ?? 0), (n) => n === write);
    await session!.screenshot('verifier-stop-offending-line');
    assert.equal(at, write, 'the editor shows the offending line');
  });

  it('a TDR keeps the session at a stop on the looping line, with the DDI, its arguments and the time it ran; Terminate ends it', async function () {
    this.timeout(180_000);
    const wb = session!.workbench;
    const page = wb.page;
    if (await page.locator('.debug-toolbar').isVisible()) await wb.runCommand('Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 20_000 });
    const driver = 'drivers/buggy/tdr.ts';
    const editor = await wb.openFile(driver);
    await editor.click();
    await page.keyboard.press('F5');
    const more = await wb.waitFor(page.locator('.quick-input-list .monaco-list-row', { hasText: /More Paging Lab \(WDDM driver\) options/ }), 'Paging Lab in the debugger picker', 30_000);
    await more.click();
    await wb.poll(() => wb.quickPickRows(), (r) => r.some((t) => t.startsWith(`Debug ${driver}`)));
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `Debug ${driver}` }).first().click();
    // The watchdog fires after the TDR delay (2 s by default): an exception stop, not the end.
    const widget = await wb.waitFor(page.locator('.exception-widget'), 'the TDR exception in the editor', 90_000);
    const text = (await widget.innerText()).replace(/\s+/g, ' ');
    const loop = readFileSync(join(ROOT, 'samples', 'drivers', 'buggy', 'tdr.ts'), 'utf8').split('\n').findIndex((l) => l.includes('while (registers!.ReadPagingFence(0) < submitted)')) + 1;
    const line = Number(/Ln (\d+)/.exec(await wb.statusBarItem('status.editor.selection').innerText())?.[1] ?? 0);
    const stack = (await page.locator('.debug-call-stack .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    await session!.screenshot('tdr-stop');
    assert.match(text, /TDR: DxgkDdiBuildPagingBuffer has run for \d+(\.\d+)? s without returning/, `the exception says which DDI and how long: ${text}`);
    assert.ok(line >= loop && line <= loop + 2, `the editor is on the looping line ${loop}: line ${line}`);
    assert.ok(stack.some((t) => /DxgkDdiBuildPagingBuffer/.test(t)), `the DDI in the Call Stack: ${JSON.stringify(stack)}`);
    assert.equal(await page.locator('.debug-toolbar').isVisible(), true, 'the session is still there');
    // What the driver was given and what it holds are in Variables.
    const variables = page.locator('.debug-variables .monaco-list-row');
    await wb.waitFor(variables.filter({ hasText: /^(args|hAdapter|submitted)\b/ }), 'the stopped driver\'s variables', 15_000);
    await session!.screenshot('tdr-variables');
    // Terminate is the way out, and ends the session cleanly.
    await page.locator('.debug-toolbar .codicon-debug-stop').click();
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 20_000 });
    assert.deepEqual((await wb.notifications()).filter((n) => /error|fail/i.test(n)), [], 'no error toasts');
  });
});
