// Debug adapter soak: the shipped adapter (dist/debugAdapter.js) over stdio, stopped, inspected and
// continued thousands of times (a GPU step, then threads, stackTrace, scopes, every scope's
// variables, an evaluate, a 4 KiB readMemory and a 50-instruction disassemble, as a client refreshing
// its views does), printing the adapter process's resident memory (RSS, from /proc) at the start
// and the end and at each tenth, so growth beyond noise shows. Every response is checked: a missing
// or failed one stops the run with the reason.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { row, type Suite } from './suite';

// PAGING_LAB_SOAK_CYCLES runs longer, to tell a plateau from growth.
const CYCLES = Math.max(10, Math.round(Number(process.env.PAGING_LAB_SOAK_CYCLES ?? 4000) / 10) * 10);
const GPU = 100;
const ROOT = join(__dirname, '..');

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** The adapter's process id: DebugClient keeps its child process to itself. */
function pidOf(dc: DebugClient): number {
  const proc = (dc as unknown as { _adapterProcess?: { pid?: number } })._adapterProcess;
  if (!proc?.pid) throw new Error('the adapter process is not known');
  return proc.pid;
}

export const debuggerSoakSuite: Suite = {
  name: 'debugger-soak',
  title: `debug adapter soak: ${CYCLES} cycles of step, inspect (threads, stack, scopes, variables, evaluate, memory, disassembly) and continue; RSS at start and end`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-soak-'));
    const program = join(dir, 'soak.pgasm');
    const lines = ['; soak program', '.dmasize 0x40000', 'start:'];
    for (let i = 0; i < CYCLES + 10; i++) lines.push(i % 2 ? `    fill vram:${0x1000 + (i % 64) * 0x100}, 0x100, ${i}` : '    nop');
    lines.push('    fence phys:0, 1');
    writeFileSync(program, lines.join('\n') + '\n');
    const dc = new DebugClient(process.execPath, join(ROOT, 'dist', 'debugAdapter.js'), 'wddm');
    dc.defaultTimeout = 30000;
    await dc.start();
    let requests = 0;
    const req = async <T extends DebugProtocol.Response>(p: Promise<T>): Promise<T> => {
      requests++;
      const r = await p;
      if (!r.success) throw new Error(`a request failed: ${r.command}: ${r.message}`);
      return r;
    };
    try {
      await req(dc.initializeRequest({ adapterID: 'wddm', linesStartAt1: true, columnsStartAt1: true, supportsVariableType: true, supportsMemoryEvent: true }));
      const initialized = dc.waitForEvent('initialized');
      const launched = dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
      await initialized;
      const first = dc.waitForEvent('stopped');
      await req(dc.configurationDoneRequest());
      await launched;
      requests++;
      await first;
      const pid = pidOf(dc);
      const start = rssMiB(pid);
      const marks: string[] = [];
      const t0 = Date.now();
      for (let i = 0; i < CYCLES; i++) {
        const stopped = dc.waitForEvent('stopped');
        await req(dc.nextRequest({ threadId: GPU }));
        await stopped;
        await req(dc.threadsRequest());
        const st = await req(dc.stackTraceRequest({ threadId: GPU, startFrame: 0, levels: 20 }));
        const frame = st.body.stackFrames[0];
        const scopes = await req(dc.scopesRequest({ frameId: frame.id }));
        for (const s of scopes.body.scopes) await req(dc.variablesRequest({ variablesReference: s.variablesReference }));
        await req(dc.evaluateRequest({ expression: 'pc + pagingFence', frameId: frame.id, context: 'watch' }));
        await req(dc.customRequest('readMemory', { memoryReference: frame.instructionPointerReference, count: 4096 }));
        await req(dc.disassembleRequest({ memoryReference: frame.instructionPointerReference!, instructionOffset: -10, instructionCount: 50 }));
        if ((i + 1) % (CYCLES / 10) === 0) marks.push(rssMiB(pid).toFixed(1));
      }
      const end = rssMiB(pid);
      const seconds = (Date.now() - t0) / 1000;
      console.log(`  ${CYCLES} cycles, ${requests} requests, every one answered with success, in ${seconds.toFixed(1)} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      row('adapter RSS at the first stop', `${start.toFixed(1)} MiB`);
      row(`adapter RSS after ${CYCLES} cycles`, `${end.toFixed(1)} MiB`, `${(end - start >= 0 ? '+' : '') + (end - start).toFixed(1)} MiB`);
      row('RSS at each tenth (MiB)', marks.join(' '));
    } finally {
      await dc.stop();
    }
  },
};
