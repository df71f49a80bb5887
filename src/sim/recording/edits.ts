// Replays the edits of a recording (recording.ts) at their moments: an edit recorded at moment M
// (after the run's M-th event) is applied when a machine of the same run stands there again,
// before its next event. Memory writes go through the GPU's debug address space, as the debugger
// made them; a DDI argument changed in Variables (setVariable, made at the call's entry) is set
// again in the arguments of the call the machine stands at.

import type { Machine } from '../machine';
import type { RecordedEdit } from './recording';

export class EditReplay {
  private next = 0;
  /** The setVariable edits that could not be applied (no DDI call at their moment, or no such argument). */
  readonly variables: RecordedEdit[] = [];

  constructor(private readonly edits: readonly RecordedEdit[]) {}

  /** Edits not applied yet (the run has not reached their moment). */
  get pending(): number {
    return this.edits.length - this.next;
  }

  /** Applies the edits due at `machine`'s moment. */
  apply(machine: Machine): void {
    const at = machine.eventCount;
    while (this.next < this.edits.length && this.edits[this.next].moment <= at) {
      const e = this.edits[this.next++];
      if (e.kind === 'writeMemory') {
        const bytes = Buffer.from(e.data ?? '', 'hex');
        const r = machine.gpu.debugWrite(e.address ?? 0, bytes);
        if (r.written !== bytes.length) throw new Error(`the recorded edit at moment ${e.moment} writes ${bytes.length} bytes at 0x${(e.address ?? 0).toString(16)}, and only ${r.written} are writable now`);
      } else if (!setArgument(machine.kernel.ddi.current?.args, e.path, e.value)) {
        this.variables.push(e);
      }
    }
  }
}

/**
 * Sets the DDI argument at `path` (`Transfer.TransferSize`, as the debugger names it) to `value`
 * (JSON); false when there is no such argument.
 */
export function setArgument(args: unknown, path: string | undefined, value: string | undefined): boolean {
  if (!path || value === undefined || !args || typeof args !== 'object') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  const names = path.split('.');
  // Own members only: a path never leads into a prototype (`constructor.prototype...` from a recording edited by hand).
  const own = (o: unknown, n: string): o is Record<string, unknown> => !!o && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, n);
  let o: unknown = args;
  for (const n of names.slice(0, -1)) o = own(o, n) ? o[n] : undefined;
  const last = names[names.length - 1];
  if (!own(o, last)) return false;
  o[last] = parsed;
  return true;
}
