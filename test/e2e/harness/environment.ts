// What `npm run test:e2e` (scripts/e2e/run.mjs) hands to the end-to-end tests: where the installed
// code-server and Chromium are, the extensions folder that holds the freshly packaged .vsix, and
// where screenshots go. Running the e2e files any other way gets an error saying how to run them.

import { join } from 'node:path';

export interface E2eEnvironment {
  /** The code-server launcher (VS Code served to the browser). */
  codeServer: string;
  /** Extensions folder in which paging-lab.vsix was installed. */
  extensionsDir: string;
  /** Chromium binary driven by playwright-core. */
  chromium: string;
  /** Folder for screenshots, one subfolder per test. */
  resultsDir: string;
  /** Folder for temporary workspaces and user-data folders. */
  tmpDir: string;
}

export const ROOT = join(__dirname, '..', '..', '..');

export function e2eEnvironment(): E2eEnvironment {
  const { PAGING_LAB_E2E_CODE_SERVER, PAGING_LAB_E2E_EXTENSIONS_DIR, PAGING_LAB_E2E_TMP } = process.env;
  if (!PAGING_LAB_E2E_CODE_SERVER || !PAGING_LAB_E2E_EXTENSIONS_DIR || !PAGING_LAB_E2E_TMP) {
    throw new Error('the end-to-end tests need the installed VS Code and the packaged extension: run them with `npm run test:e2e`');
  }
  return {
    codeServer: PAGING_LAB_E2E_CODE_SERVER,
    extensionsDir: PAGING_LAB_E2E_EXTENSIONS_DIR,
    chromium: process.env.PAGING_LAB_CHROMIUM_PATH || '/usr/bin/chromium',
    resultsDir: process.env.PAGING_LAB_E2E_RESULTS || join(ROOT, 'test-results', 'e2e'),
    tmpDir: PAGING_LAB_E2E_TMP,
  };
}
