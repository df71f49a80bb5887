// Turns the adapter's disassembly around the GPU's instruction pointer into a .pgasm listing: the
// run of valid instructions that contains the pointer (the current paging buffer), one per line,
// with each instruction's address as a comment. No `vscode` here, so it is unit-tested.

export interface Instruction {
  address: string;
  instruction: string;
  instructionBytes?: string;
  presentationHint?: 'normal' | 'invalid';
}

/**
 * A data row of the adapter's disassembly (the bytes outside any paging buffer: `.u8 ...`, or the
 * `(end of paging buffer)` marker before one). It bounds the buffer as an invalid row does: the
 * zero bytes around a buffer are valid rows but not part of it.
 */
function isData(ins: Instruction): boolean {
  return /^[.(]/.test(ins.instruction);
}

/** The first and last index (inclusive) of the valid run containing `at`, or undefined. */
export function validRun(list: readonly Instruction[], at: number): [number, number] | undefined {
  const ok = (i: number) => i >= 0 && i < list.length && list[i].presentationHint !== 'invalid' && list[i].instruction !== '??' && !isData(list[i]);
  if (!ok(at)) return undefined;
  let first = at;
  let last = at;
  while (ok(first - 1)) first--;
  while (ok(last + 1)) last++;
  return [first, last];
}

export function pgasmListing(list: readonly Instruction[], ipIndex: number, header: string): string {
  const run = validRun(list, ipIndex);
  if (!run) throw new Error('There is no valid instruction at the GPU\'s instruction pointer: the paging buffer cannot be listed.');
  const body = list.slice(run[0], run[1] + 1).map((ins, i) => {
    const mark = run[0] + i === ipIndex ? '  <- next' : '';
    return `    ${ins.instruction.padEnd(48)} ; ${ins.address}${ins.instructionBytes ? `  [${ins.instructionBytes}]` : ''}${mark}`;
  });
  return [`; ${header}`, `; ${run[1] - run[0] + 1} instructions from ${list[run[0]].address}`, ...body, ''].join('\n');
}
