// The end-to-end harness: one call opens a fixture folder in a real VS Code (code-server with the
// packaged extension installed) inside headless Chromium, and `close()` always stops both.
//
//   const session = await openSession({ fixture: 'smoke', name: 'smoke' });
//   await session.workbench.openFile('hello.pgasm');
//   await session.workbench.runCommand('Paging Lab: Show Paging Opcode Reference');
//   await session.close();
//
// Fixtures live in test/e2e/fixtures/<name>/ (or name a folder of the repository, such as samples/)
// and are copied to a temporary folder first, so a test may edit its workspace freely.

import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { CodeServer } from './codeServer';
import { e2eEnvironment, ROOT } from './environment';
import { Workbench } from './workbench';

export { Workbench } from './workbench';
export type { RenderedToken } from './workbench';

export interface SessionOptions {
  /** Folder under test/e2e/fixtures/ to open as the workspace. */
  fixture?: string;
  /** Or a folder of the repository (e.g. `samples`), opened as a user would open it. */
  folder?: string;
  /** Name of the screenshots folder under test-results/e2e/. */
  name: string;
  /** Extra VS Code user settings. */
  settings?: Record<string, unknown>;
}

export interface Session {
  workbench: Workbench;
  page: Page;
  /** The workspace folder (a temporary copy of the fixture). */
  workspace: string;
  server: CodeServer;
  /** Saves a numbered screenshot under test-results/e2e/<name>/. */
  screenshot(name: string): Promise<string>;
  /** Stops the browser and the server; safe to call twice and after a failed open. */
  close(): Promise<void>;
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const env = e2eEnvironment();
  const fixture = opts.folder ? join(ROOT, opts.folder) : join(ROOT, 'test', 'e2e', 'fixtures', opts.fixture ?? '');
  if (!opts.folder === !opts.fixture) throw new Error('openSession needs a fixture or a folder, not both');
  if (!existsSync(fixture)) throw new Error(`no folder ${fixture}`);
  const dir = mkdtempSync(join(env.tmpDir, `${opts.name}-`));
  const workspace = join(dir, 'workspace');
  cpSync(fixture, workspace, { recursive: true });

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    context = browser = server = undefined;
  };

  try {
    server = await CodeServer.start({
      bin: env.codeServer,
      workspace,
      extensionsDir: env.extensionsDir,
      userDataDir: join(dir, 'user-data'),
      settings: opts.settings,
    });
    browser = await launchChromium(env.chromium);
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    const workbench = new Workbench(page, join(env.resultsDir, opts.name));
    try {
      await workbench.waitUntilReady();
    } catch (err) {
      await workbench.screenshot('workbench-not-ready').catch(() => undefined);
      throw new Error(`the VS Code workbench did not show the workspace: ${(err as Error).message}\ncode-server output:\n${server.log}`);
    }
    const srv = server;
    return {
      workbench,
      page,
      workspace,
      server: srv,
      screenshot: (name) => workbench.screenshot(name),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
