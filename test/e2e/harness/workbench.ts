// What a user does in the VS Code workbench, as Playwright steps: run a command from the palette,
// open a file, read the status bar, read the rendered tokens of the editor, look inside a webview,
// take a screenshot. Selectors are VS Code 1.100's DOM; keep them here so tests read as user steps.

import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

/** One rendered token of an editor line. */
export interface RenderedToken {
  text: string;
  /** Monaco's token class, e.g. `mtk5` (one class per distinct colour/style of the theme). */
  className: string;
  /** The computed CSS colour. */
  color: string;
}

export class Workbench {
  private shotCount = 0;

  constructor(
    readonly page: Page,
    /** Folder for this session's screenshots. */
    readonly shotsDir: string,
  ) {
    mkdirSync(shotsDir, { recursive: true });
  }

  /** Waits until the workbench and the explorer of the opened folder are shown. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Saves a numbered screenshot of the whole page; returns its path. */
  async screenshot(name: string): Promise<string> {
    this.shotCount++;
    const file = join(this.shotsDir, `${String(this.shotCount).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Waits for a selector (or locator) to be visible; on time-out, saves a screenshot and throws an
   * error that names `what` the user should have seen.
   */
  async waitFor(target: string | Locator, what: string, timeoutMs = 15_000): Promise<Locator> {
    const loc = (typeof target === 'string' ? this.page.locator(target) : target).first();
    try {
      await loc.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const shot = await this.screenshot(`missing-${what}`).catch(() => '(no screenshot)');
      const seen = await this.onScreen().catch(() => '(could not read the screen)');
      throw new Error(`${what} did not appear within ${timeoutMs} ms (${typeof target === 'string' ? target : 'locator'}); on screen: ${seen}; screenshot: ${shot}`);
    }
    return loc;
  }

  /**
   * Reads `probe` every `intervalMs` until `done` holds or `timeoutMs` passes, and returns the last
   * value either way, so the test's assertion can show what was on screen.
   */
  async poll<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000, intervalMs = 250): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await probe();
    while (!done(value) && Date.now() < deadline) {
      await this.page.waitForTimeout(intervalMs);
      value = await probe();
    }
    return value;
  }

  /** Opens the quick input with `key` and waits for its text box; typing earlier loses characters. */
  private async openQuickInput(key: string): Promise<Locator> {
    const input = this.page.locator('.quick-input-widget input');
    // The workbench takes keys only once focus is inside it. A webview that has focus (the VRAM view
    // after a click in it) keeps it from there and may eat the key: then focus goes to the editor
    // part by a click, and the key is pressed again.
    await this.page.locator('.monaco-workbench').focus();
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press(key);
      if (await input.waitFor({ state: 'visible', timeout: 4_000 }).then(() => true, () => false)) return input;
      if (attempt === 2) break;
      await this.page.keyboard.press('Escape');
      const editor = this.page.locator('.part.editor .monaco-editor .view-lines').first();
      await ((await editor.count()) ? editor : this.page.locator('.part.editor')).click();
    }
    await input.waitFor({ state: 'visible', timeout: 2_000 });
    return input;
  }

  /**
   * Runs a command from the palette and leaves whatever it opens (its own picker) on screen.
   * Retries while the workbench has not yet listed the extension's contributions (just after it
   * loads).
   */
  async startCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.page.locator('.monaco-workbench').focus();
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      if (await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) break;
      await this.page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" never appeared in the command palette`);
    }
    await this.page.keyboard.press('Enter');
  }

  /** The rows of the quick pick on screen, as the user reads them. */
  async quickPickRows(): Promise<string[]> {
    const rows = await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allInnerTexts();
    return rows.map((r) => r.replace(/\s+/g, ' ').trim());
  }

  /** Runs a command by its title ("Category: Title") through the command palette (F1). */
  async runCommand(title: string): Promise<void> {
    // Something that takes focus as it finishes opening (a webview panel) closes the palette, seen
    // between the palette showing and the title being typed: open it again.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const input = await this.openQuickInput('F1');
      if (await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`the command palette closed each time before "${title}" could be typed in it`);
    }
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
      const shown = await this.page.locator('.quick-input-list .monaco-list-row').allTextContents();
      throw new Error(`command "${title}" is not in the command palette; it shows: ${shown.join(' | ') || '(nothing)'}`);
    });
    // Enter on the focused row rather than a click: the list redraws while results come in (recently
    // used, other matches), and a click can land on a row that moved, or between rows, closing the
    // palette without running anything (seen under load: "Add Function Breakpoint" did nothing).
    const focused = this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title });
    if (!(await focused.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) await row.hover();
    if (await focused.count()) await this.page.keyboard.press('Enter');
    else await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /**
   * Adds a function breakpoint as a user does (the "Add Function Breakpoint" command, then its name
   * typed into the box it opens in the Breakpoints view) and returns the breakpoint's row. Under load
   * the command has run with the side bar left on the Explorer and no box shown: then Run and Debug is
   * opened first and the command run again.
   */
  async addFunctionBreakpoint(name: string): Promise<Locator> {
    const box = this.page.locator('.debug-breakpoints .monaco-inputbox input').first();
    for (let attempt = 1; ; attempt++) {
      await this.runCommand('Add Function Breakpoint');
      if (await box.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) break;
      if (attempt === 3) await this.waitFor(box, 'the function breakpoint name box', 1);
      console.log(`      the function breakpoint name box did not appear (try ${attempt}): opening Run and Debug first`);
      await this.runCommand('View: Show Run and Debug');
      await this.page.locator('.debug-breakpoints').first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
    }
    await box.fill(name);
    await this.page.keyboard.press('Enter');
    return this.waitFor(this.page.locator('.debug-breakpoints .monaco-list-row', { hasText: name }), `the function breakpoint ${name} in the Breakpoints view`);
  }

  /**
   * Reloads the window as VS Code does ("Developer: Reload Window"): the workbench saves its state
   * (open editors, webview state) before the page goes. A browser reload (`page.reload()`) only
   * starts that save and does not wait for it, so what was opened in the last seconds may be lost.
   */
  async reloadWindow(timeoutMs = 60_000): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: timeoutMs });
    await this.runCommand('Developer: Reload Window');
    await loaded;
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Shows a view of the bottom panel (Debug Console, VRAM, ...) by clicking its tab. */
  async showPanel(title: string, timeoutMs = 15_000): Promise<void> {
    const tab = this.page.locator(`.part.panel .composite-bar .action-label[aria-label^="${title}"]`).first();
    await tab.waitFor({ state: 'visible', timeout: timeoutMs });
    await tab.click();
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor. */
  async openFile(relativePath: string): Promise<Locator> {
    const name = basename(relativePath);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    // As with the palette (runCommand): a webview that takes focus as it finishes opening closes
    // Quick Open, seen between it showing and the path being typed (CI, the VRAM view opened twice
    // just before): open it again.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const input = await this.openQuickInput('Control+P');
      if (await input.fill(relativePath, { timeout: 5_000 }).then(() => true, () => false)) {
        if (await row.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) break;
      }
      if (Date.now() > deadline) throw new Error(`Quick Open closed each time before ${relativePath} could be picked in it`);
      await this.page.keyboard.press('Escape');
    }
    await row.click();
    const tab = this.page.locator('.tabs-container .tab.active', { hasText: name });
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    const editor = this.activeEditor();
    await editor.locator('.view-lines .view-line').first().waitFor({ state: 'visible', timeout: 15_000 });
    return editor;
  }

  /** The text editor that has focus (the active editor group's editor). */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** A status bar item by its id (e.g. `status.editor.mode` for the language mode). */
  statusBarItem(id: string): Locator {
    return this.page.locator(`.statusbar-item[id="${id}"]`);
  }

  /** The language mode the status bar shows for the active editor. */
  async languageMode(): Promise<string> {
    const item = this.statusBarItem('status.editor.mode');
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    return (await item.innerText()).trim();
  }

  /**
   * The tokens of the active editor's rendered lines, as the user sees them: each span of each
   * visible line with its text, Monaco token class and computed colour.
   */
  async renderedTokens(): Promise<RenderedToken[]> {
    return this.activeEditor().locator('.view-lines .view-line > span > span').evaluateAll((spans) =>
      spans.map((s) => ({
        // Monaco renders spaces as no-break spaces.
        text: (s.textContent ?? '').replace(/\u00a0/g, ' '),
        className: Array.from(s.classList).find((c) => /^mtk\d+$/.test(c)) ?? '',
        color: getComputedStyle(s).color,
      })),
    );
  }

  /**
   * Waits until the editor's tokens are coloured by a grammar (more than one token class shown).
   * VS Code loads the grammar and its regex engine (wasm) on first use: on a loaded machine that
   * took longer than 15 s, so the wait is long; a missing grammar never colours, however long.
   */
  async waitForColouredTokens(timeoutMs = 60_000): Promise<RenderedToken[]> {
    return this.poll(() => this.renderedTokens(), (tokens) => new Set(tokens.map((t) => t.className)).size > 1, timeoutMs);
  }

  /** The content of the active webview (e.g. a Markdown preview), two iframes deep. */
  activeWebview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }

  /**
   * The content of the webview whose page has `selector` (the VRAM view, the occupancy map...),
   * waiting for it to load. Several webviews can be open at once (an editor panel and side-bar
   * views, in an order that depends on what loaded first), so "the last one" is not a way to name
   * one. The locator is pinned to that webview's id, so webviews opening later do not move it.
   */
  async webview(selector: string, timeoutMs = 15_000): Promise<FrameLocator> {
    const frames = this.page.locator('iframe.webview.ready');
    const found = await this.poll(
      async () => {
        const n = await frames.count();
        for (let i = 0; i < n; i++) {
          const doc = this.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
          if (!(await doc.locator(selector).count().catch(() => 0))) continue;
          const src = (await frames.nth(i).getAttribute('src').catch(() => null)) ?? '';
          const id = new URL(src, 'http://x').searchParams.get('id');
          if (id) return id;
        }
        return undefined;
      },
      (id) => id !== undefined,
      timeoutMs,
      50,
    );
    if (!found) {
      const shot = await this.screenshot(`missing-webview-${selector}`).catch(() => '(no screenshot)');
      throw new Error(`no webview shows ${selector} within ${timeoutMs} ms; screenshot: ${shot}`);
    }
    return this.page.frameLocator(`iframe.webview.ready[src*="id=${found}&"]`).frameLocator('iframe#active-frame');
  }

  /** Texts of the notification toasts on screen (errors from extensions show here). */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /**
   * What the user would see that explains a wait that timed out: the side bar's title, the active
   * tab, an open quick pick and the notifications. A CI failure is read from its log, where the
   * screenshot is out of reach.
   */
  async onScreen(): Promise<string> {
    const text = async (selector: string): Promise<string> =>
      (await this.page.locator(selector).allInnerTexts().catch(() => [] as string[])).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | ');
    const parts = [
      `side bar: ${(await text('.part.sidebar .composite.title h2')) || '(none)'}`,
      `tab: ${(await text('.tabs-container .tab.active .label-name')) || '(none)'}`,
      `language: ${(await text('.statusbar-item[id="status.editor.mode"]')) || '(none)'}`,
      `quick pick: ${(await text('.quick-input-widget:visible .quick-input-title, .quick-input-widget:visible .monaco-list-row')) || '(none)'}`,
      `notifications: ${(await text('.notifications-toasts .notification-list-item-message')) || '(none)'}`,
    ];
    return parts.join('; ');
  }
}
