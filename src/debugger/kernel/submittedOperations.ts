// Which paging operation a GPU instruction belongs to: the kernel says, as it submits a paging
// buffer, where each operation's instructions lie; the GPU runs them later, when where an
// allocation lives says nothing about whose copy it is. Kept for the buffers submitted lately.

interface SubmittedOperation {
  label: string;
  physical: number;
  length: number;
}

/** How many operations are kept: the GPU runs what was submitted lately. */
const KEPT = 256;

export class SubmittedOperations {
  /** Newest last. */
  private readonly operations: SubmittedOperation[] = [];

  /** A paging buffer was submitted (the kernel's paging-buffer-submitted event data): its operations and where their instructions lie. */
  note(data: Record<string, unknown> | undefined): void {
    const ops = data?.operations;
    if (!Array.isArray(ops)) return;
    for (const o of ops as SubmittedOperation[]) this.operations.push(o);
    if (this.operations.length > KEPT) this.operations.splice(0, this.operations.length - KEPT);
  }

  /** The paging operation whose instructions include physical `address`, among those submitted lately. */
  at(address: number): string | undefined {
    for (let i = this.operations.length - 1; i >= 0; i--) {
      const o = this.operations[i];
      if (address >= o.physical && address < o.physical + o.length) return o.label;
    }
    return undefined;
  }
}
