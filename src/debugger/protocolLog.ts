// A log of the protocol as the adapter sees it, for finding out what a client asked and when: set
// PAGING_LAB_DAP_LOG to a file path and every request received and every response and event sent is
// appended to it as one JSON line, stamped with the wall clock (ms since the epoch, so a test or a
// user can line it up with what happened on screen). Off unless asked for; a log that cannot be
// written is reported once and then dropped, never a reason for the session to fail.

import { appendFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';

export type ProtocolLog = (direction: 'in' | 'out', message: DebugProtocol.ProtocolMessage) => void;

export function openProtocolLog(path: string | undefined, warn: (text: string) => void): ProtocolLog | undefined {
  if (!path) return undefined;
  let broken = false;
  return (direction, message) => {
    if (broken) return;
    try {
      appendFileSync(path, JSON.stringify({ t: Date.now(), direction, ...message }) + '\n');
    } catch (e) {
      broken = true;
      warn(`paging-lab debug adapter: the protocol log ${path} cannot be written (${(e as Error).message}); logging stopped\n`);
    }
  };
}
