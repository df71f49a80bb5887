// The event trace as text, and a recorder that hashes it: two runs from the same inputs must give
// the same hash, bit for bit. The text form is also what `paging-lab exec --trace` prints.

import { createHash } from 'node:crypto';
import { OPCODE_BY_CODE } from '../../isa/opcodes';
import type { Gpu, HwEvent } from './types';
import { hex, UPPER } from '../../isa/hex';

/** One line per event; every field that matters is in it, so hashing lines hashes the trace. */
export function formatEvent(ev: HwEvent): string {
  const who = (engine: number): string => (engine < 0 ? 'host' : `engine ${engine}`);
  switch (ev.kind) {
    case 'instruction':
      return `${ev.time}..${ev.end} ${who(ev.engine)} exec ${OPCODE_BY_CODE[ev.code]?.mnemonic ?? hex(ev.code, UPPER)} @${hex(ev.address, UPPER)} (+${hex(ev.offset, UPPER)}, ${ev.size} bytes)`;
    case 'write':
      return `${ev.time} ${who(ev.engine)} write ${ev.target} ${hex(ev.address, UPPER)}+${hex(ev.length, UPPER)} (debug ${hex(ev.debugAddress, UPPER)})`;
    case 'fence':
      return `${ev.time} ${who(ev.engine)} fence ${ev.monitored ? `monitored @${hex(ev.address ?? 0, UPPER)}` : 'paging'} = ${ev.value}`;
    case 'interrupt':
      return `${ev.time} ${who(ev.engine)} interrupt ${ev.reason} code ${ev.code}${ev.fenceValue !== undefined ? ` fence ${ev.fenceValue}` : ''}`;
    case 'fault':
      return `${ev.fault.time} engine ${ev.fault.engine} fault ${ev.fault.cause} @${hex(ev.fault.address, UPPER)} (+${hex(ev.fault.offset, UPPER)}) ${ev.fault.instruction}: ${ev.fault.message}`;
    case 'dummy-page-access':
      return `${ev.time} ${who(ev.engine)} dummy-page ${ev.write ? 'write' : 'read'} segment ${ev.segment} page ${ev.page}`;
    case 'wait':
      return `${ev.time} ${who(ev.engine)} wait ${ev.satisfied ? 'satisfied' : 'stalled'}`;
    case 'buffer-complete':
      return `${ev.time} ${who(ev.engine)} buffer-complete ${ev.submissionId}`;
  }
}

export interface TraceRecorder {
  /** SHA-256 of the trace lines so far, hex. */
  hash(): string;
  readonly count: number;
  /** The lines, if the recorder keeps them. */
  readonly lines: string[];
  stop(): void;
}

export function recordTrace(gpu: Gpu, options: { keepLines?: boolean } = {}): TraceRecorder {
  const h = createHash('sha256');
  const lines: string[] = [];
  let count = 0;
  const stop = gpu.onEvent((ev) => {
    const line = formatEvent(ev);
    h.update(line + '\n');
    count++;
    if (options.keepLines) lines.push(line);
  });
  return {
    hash: () => h.copy().digest('hex'),
    get count() {
      return count;
    },
    lines,
    stop,
  };
}
