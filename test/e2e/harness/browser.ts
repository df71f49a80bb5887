// Launches Debian's Chromium headless under playwright-core, with the flags it needs to run as root
// in a container. A Chromium that cannot start says what to install rather than timing out later.

import { existsSync } from 'node:fs';
import { chromium, Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(executablePath: string): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath}: run \`apt-get install -y chromium\` (or set PAGING_LAB_CHROMIUM_PATH)`);
  }
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n').slice(0, 8).join('\n') : String(err);
    throw new Error(`Chromium at ${executablePath} could not be started; reinstall it with \`apt-get install -y chromium\`:\n${reason}`);
  }
}
