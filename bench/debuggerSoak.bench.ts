// Debug adapter soak: the shipped adapter (dist/debugAdapter.js) over stdio, stopped, inspected and
// continued thousands of times (a GPU step, then threads, stackTrace, scopes, every scope's
// variables, an evaluate, a 4 KiB readMemory and a 50-instruction disassemble, as a client refreshing
// its views does). Every response is checked: a missing or failed one stops the run with the reason.
//
// What it prints tells growth from warm-up. RSS alone rises for a while and then levels off: V8
// grows its young generation (up to 16 MiB a semi-space) as the allocation rate stays high,
// optimizes more functions, and the simulator touches its VRAM. So at each tenth it also asks every
// thread of the adapter (the adapter and its simulator worker) to collect garbage twice and say how
// much heap is still in use (bench/heapProbe.cjs, preloaded into the adapter), and compares the end
// with the end of the warm-up (the first tenth), as ratios. PAGING_LAB_SOAK_SNAPSHOTS=1 also writes
// heap snapshots of each thread after the warm-up and at the end and prints what grew, by
// constructor (writing snapshots inflates RSS, so that run's RSS figures are not comparable).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { heapGrowth } from './heapSnapshotDiff';
import { row, type Suite } from './suite';

// PAGING_LAB_SOAK_CYCLES runs longer, to tell a plateau from growth.
const CYCLES = Math.max(10, Math.round(Number(process.env.PAGING_LAB_SOAK_CYCLES ?? 4000) / 10) * 10);
const SNAPSHOTS = process.env.PAGING_LAB_SOAK_SNAPSHOTS === '1';
const GPU = 100;
const MiB = 1024 * 1024;
const ROOT = join(__dirname, '..');

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024;
}

interface ThreadHeap {
  thread: number;
  /** Bytes still in use after two full collections. */
  heapUsed: number;
  /** Bytes the thread's heap holds from the system (what RSS sees of it). */
  heapCommitted: number;
  arrayBuffers: number;
  snapshot?: string;
}

interface Probe {
  rss: number;
  threads: ThreadHeap[];
}

/** Asks the adapter (through bench/heapProbe.cjs) for every thread's heap after a forced collection. */
async function probeHeap(pid: number, out: string, snapshot?: string): Promise<Probe> {
  rmSync(out, { force: true });
  writeFileSync(`${out}.request`, JSON.stringify(snapshot ? { snapshot } : {}));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 300 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(out)) throw new Error('the adapter did not answer the heap probe');
  const p = JSON.parse(readFileSync(out, 'utf8')) as Probe;
  p.threads.sort((a, b) => a.thread - b.thread);
  return p;
}

const mib = (n: number): string => (n / MiB).toFixed(2);
const ratio = (a: number, b: number): string => `x${(b / a).toFixed(3)}`;
/** Thread 0 is the adapter's own; the others are its simulator worker(s). */
const threadName = (t: ThreadHeap): string => (t.thread === 0 ? 'adapter thread' : `simulator worker (thread ${t.thread})`);

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
    const probeFile = join(dir, 'heap.json');
    const dc = new DebugClient(process.execPath, join(ROOT, 'dist', 'debugAdapter.js'), 'wddm', {
      env: { ...process.env, PAGING_LAB_HEAP_PROBE: probeFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'heapProbe.cjs')}`.trim() },
    });
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
      const probes: { cycle: number; probe: Probe }[] = [{ cycle: 0, probe: await probeHeap(pid, probeFile) }];
      const warmUp = CYCLES / 10;
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
        if ((i + 1) % (CYCLES / 10) === 0) {
          marks.push(rssMiB(pid).toFixed(1));
          const snapshot = SNAPSHOTS && (i + 1 === warmUp || i + 1 === CYCLES) ? `cycle${i + 1}` : undefined;
          probes.push({ cycle: i + 1, probe: await probeHeap(pid, probeFile, snapshot) });
        }
      }
      const end = rssMiB(pid);
      const seconds = (Date.now() - t0) / 1000;
      console.log(`  ${CYCLES} cycles, ${requests} requests, every one answered with success, in ${seconds.toFixed(1)} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      row('adapter RSS at the first stop', `${start.toFixed(1)} MiB`);
      row(`adapter RSS after ${CYCLES} cycles`, `${end.toFixed(1)} MiB`, `${(end - start >= 0 ? '+' : '') + (end - start).toFixed(1)} MiB`);
      row('RSS at each tenth (MiB)', marks.join(' '));
      // Growth is judged from the end of the warm-up (the first tenth), where RSS has mostly levelled off.
      const at = (cycle: number): Probe => probes.find((p) => p.cycle === cycle)!.probe;
      const w = at(warmUp);
      const middle = at(CYCLES / 2);
      const last = at(CYCLES);
      row(`RSS after warm-up (${warmUp}), middle, end`, `${mib(w.rss)} ${mib(middle.rss)} ${mib(last.rss)} MiB`, `end/warm-up ${ratio(w.rss, last.rss)}`);
      for (const t of w.threads) {
        const of = (p: Probe): ThreadHeap => p.threads.find((x) => x.thread === t.thread) ?? { thread: t.thread, heapUsed: NaN, heapCommitted: NaN, arrayBuffers: NaN };
        const first = probes[0].probe.threads.find((x) => x.thread === t.thread);
        console.log(`  ${threadName(t)}:`);
        row('  heap used after GC at the first stop', `${first ? mib(first.heapUsed) : '-'} MiB`);
        row('  heap used after GC: warm-up, middle, end', `${mib(t.heapUsed)} ${mib(of(middle).heapUsed)} ${mib(of(last).heapUsed)} MiB`, `end/warm-up ${ratio(t.heapUsed, of(last).heapUsed)}`);
        row('  heap used after GC, second half', `${(((of(last).heapUsed - of(middle).heapUsed) / (CYCLES / 2)) * 1000 / 1024).toFixed(1)} KiB per 1,000 cycles`);
        row('  heap used after GC at each tenth (MiB)', probes.slice(1).map((p) => mib(of(p.probe).heapUsed)).join(' '));
        row('  heap committed: first stop, warm-up, end', `${first ? mib(first.heapCommitted) : '-'} ${mib(t.heapCommitted)} ${mib(of(last).heapCommitted)} MiB`);
        row('  array buffers: first stop, warm-up, end', `${first ? mib(first.arrayBuffers) : '-'} ${mib(t.arrayBuffers)} ${mib(of(last).arrayBuffers)} MiB`);
        if (t.snapshot && of(last).snapshot) {
          console.log(`    grew from cycle ${warmUp} to ${CYCLES} (live objects by constructor, self size):`);
          for (const g of heapGrowth(t.snapshot, of(last).snapshot!)) console.log(`      ${g.what.padEnd(44)} ${String(g.count).padStart(7)} objects ${String(g.bytes).padStart(9)} bytes`);
        }
      }
    } finally {
      await dc.stop();
    }
  },
};
