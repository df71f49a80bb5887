// Replays the edits of a recording (recording.ts) at their moments: an edit recorded at moment M
// (after the run's M-th event) is applied when a machine of the same run stands there again,
// before its next event. Memory writes go through the GPU's debug address space, as the debugger
// made them.

import type { Machine } from '../machine';
import type { RecordedEdit } from './recording';

export class EditReplay {
  private next = 0;
  /** The setVariable edits met: applied by the debugger's replay, which knows what the names mean. */
  readonly variables: RecordedEdit[] = [];

  constructor(private readonly edits: readonly RecordedEdit[]) {}

  /** Edits not applied yet (the run has not reached their moment). */
  get pending(): number {
    return this.edits.length - this.next;
  }

  /** Applies the edits due at `machine`'s moment; returns the setVariable edits due, for the caller. */
  apply(machine: Machine): RecordedEdit[] {
    const at = machine.eventCount;
    const due: RecordedEdit[] = [];
    while (this.next < this.edits.length && this.edits[this.next].moment <= at) {
      const e = this.edits[this.next++];
      if (e.kind === 'writeMemory') {
        const bytes = Buffer.from(e.data ?? '', 'hex');
        const r = machine.gpu.debugWrite(e.address ?? 0, bytes);
        if (r.written !== bytes.length) throw new Error(`the recorded edit at moment ${e.moment} writes ${bytes.length} bytes at 0x${(e.address ?? 0).toString(16)}, and only ${r.written} are writable now`);
      } else {
        due.push(e);
        this.variables.push(e);
      }
    }
    return due;
  }
}
