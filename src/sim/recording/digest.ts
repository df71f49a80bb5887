// A run's fingerprint: a SHA-256 over one line per event of its stream (what happened, at which
// virtual time; for a DDI call its name and status, for an instruction its engine and address, the
// driver's console lines and the error). Two runs with the same digest made the same calls, ran
// the same instructions and printed the same things at the same moments: what a replay must show.
// The command line and the debugger feed it the same stream, so their digests compare.

import { createHash, type Hash } from 'node:crypto';
import type { MachineEvent } from '../machine';

export class RunDigest {
  private readonly hash: Hash = createHash('sha256');
  /** Events seen. */
  events = 0;

  add(e: MachineEvent): void {
    this.events++;
    this.hash.update(lineOf(e));
    this.hash.update('\n');
  }

  /** The digest so far (hex); the digest stays usable. */
  hex(): string {
    return this.hash.copy().digest('hex');
  }
}

function lineOf(e: MachineEvent): string {
  switch (e.kind) {
    case 'scenario-step':
      return `step ${e.time} ${e.index} ${e.step.op}`;
    case 'ddi-entry':
      return `call ${e.time} ${e.call.id} ${e.call.ddi}`;
    case 'ddi-return':
      return `return ${e.time} ${e.call.id} ${e.call.ddi} ${e.call.status ?? ''}`;
    case 'kernel':
      return `kernel ${e.time} ${e.what} ${e.message}`;
    case 'instruction':
      return `instruction ${e.time} ${e.engine} ${e.address} ${e.submissionId}`;
    case 'error':
      // Not the message: it names files by their absolute paths, which differ from machine to machine.
      return `error ${e.time} ${e.error.category} ${e.error.rule ?? ''} ${e.error.ddi ?? ''} ${e.error.location?.line ?? ''}`;
    case 'done':
      return `done ${e.time}`;
  }
}
