// Debug adapter benchmark: the shipped adapter (dist/debugAdapter.js) running a .pgasm program,
// against a floor measured in the same run (bench/floorAdapter.ts: the same library, no work), both
// driven over stdio by DebugClient. Medians over 500 iterations of a GPU step (next → stopped), a
// stop refresh (threads + stackTrace + scopes + variables, right after a stop, as a client does),
// readMemory of 1 MiB and disassemble of 1,000 instructions; the floor and the adapter in turn, three
// rounds each, each figure given by the round whose ratio to the floor is the median. With
// PAGING_LAB_BENCH_BASELINE set to another build's dist/debugAdapter.js (a checkout of the commit
// before a change), that adapter is measured too, interleaved with this one (A, B, A, B), and the
// change is printed as a ratio.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { driverSourceFigures } from './driverSource.bench';
import { medianMsAsync, medianRound, row, type Suite } from './suite';

const RUNS = 500;
const GPU = 100;
const ROOT = join(__dirname, '..');

interface Figures {
  step: number;
  refresh: number;
  read: number;
  disassemble: number;
}

async function open(executable: string, launch: Record<string, unknown>): Promise<{ dc: DebugClient; ip: string }> {
  const dc = new DebugClient(process.execPath, executable, 'wddm');
  dc.defaultTimeout = 30000;
  await dc.start();
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  const launched = dc.launchRequest(launch as never);
  await initialized;
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  await launched;
  await stopped;
  const st = await dc.stackTraceRequest({ threadId: GPU });
  return { dc, ip: st.body.stackFrames[0].instructionPointerReference ?? '0x0' };
}

async function step(dc: DebugClient): Promise<void> {
  const stopped = dc.waitForEvent('stopped');
  await dc.nextRequest({ threadId: GPU });
  await stopped;
}

async function refresh(dc: DebugClient): Promise<void> {
  await dc.threadsRequest();
  const st = await dc.stackTraceRequest({ threadId: GPU, startFrame: 0, levels: 20 });
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
}

async function measure(executable: string, launch: Record<string, unknown>): Promise<Figures> {
  const { dc, ip } = await open(executable, launch);
  try {
    const stepMs = await medianMsAsync(RUNS, () => step(dc));
    // A refresh right after each stop (the step itself untimed): what a client does after stepping.
    const times: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      await step(dc);
      const t0 = process.hrtime.bigint();
      await refresh(dc);
      if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const refreshMs = times[times.length >> 1];
    const read = await medianMsAsync(RUNS, () => dc.customRequest('readMemory', { memoryReference: '0x10000000000', count: 1024 * 1024 }));
    const disassemble = await medianMsAsync(RUNS, () => dc.disassembleRequest({ memoryReference: ip, instructionOffset: -100, instructionCount: 1000 }));
    return { step: stepMs, refresh: refreshMs, read, disassemble };
  } finally {
    await dc.stop();
  }
}

export const debuggerSuite: Suite = {
  name: 'debugger',
  title: 'debug adapter over stdio: GPU step, stop refresh, readMemory, disassemble vs a do-nothing adapter',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-bench-'));
    const floor = join(dir, 'floorAdapter.js');
    esbuild.buildSync({ entryPoints: [join(__dirname, 'floorAdapter.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: floor, logLevel: 'error' });
    // Enough instructions for every step of both step measurements (2 x 501), with a mix of work.
    const program = join(dir, 'bench.pgasm');
    const lines = ['; benchmark program', 'start:'];
    for (let i = 0; i < 1100; i++) lines.push(i % 3 === 0 ? `    fill vram:${0x1000 + (i % 64) * 0x100}, 0x100, ${i}` : i % 3 === 1 ? '    nop' : `    copy vram:0x20000, vram:${0x1000 + (i % 64) * 0x100}, 0x100`);
    lines.push('    fence phys:0, 1');
    writeFileSync(program, lines.join('\n') + '\n');
    const adapter = join(ROOT, 'dist', 'debugAdapter.js');

    const baseline = process.env.PAGING_LAB_BENCH_BASELINE;
    const ms = (n: number): string => `${n.toFixed(3)} ms`;
    const KEYS = ['step', 'refresh', 'read', 'disassemble'] as const;
    /** Each figure's median round by its ratio to the other side's figure in the same round (suite.ts). */
    const judged = (ours: Figures[], theirs: Figures[], k: keyof Figures) => medianRound(ours.map((x) => x[k]), theirs.map((x) => x[k]));
    if (baseline) {
      // Interleaved rounds, so a change of load on a shared machine hits both builds alike.
      const before: Figures[] = [];
      const after: Figures[] = [];
      for (let round = 0; round < 3; round++) {
        before.push(await measure(baseline, { program, stopOnEntry: true }));
        after.push(await measure(adapter, { program, stopOnEntry: true }));
      }
      console.log(`  baseline ${baseline}; 3 interleaved rounds, each a median over ${RUNS} iterations, the round with the median ratio; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      for (const k of KEYS) {
        const j = judged(after, before, k);
        row(`${k}: baseline -> this build`, `${ms(before[j.round][k])} -> ${ms(after[j.round][k])}`, `${j.ratio.toFixed(2)}x; ${j.rounds}`);
      }
      return;
    }
    // The floor and paging-lab in turn, three rounds each, so a change of load on a shared machine
    // hits both alike (a round is a median over RUNS iterations).
    const floors: Figures[] = [];
    const ours: Figures[] = [];
    for (let round = 0; round < 3; round++) {
      floors.push(await measure(floor, {}));
      ours.push(await measure(adapter, { program, stopOnEntry: true }));
    }
    console.log(`  3 interleaved rounds (floor, paging-lab, ...), each a median over ${RUNS} iterations, the round with the median ratio to the floor; floor = a minimal adapter on @vscode/debugadapter answering at once; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    // Each figure's label, its floor's, and its target.
    const labels: Record<keyof Figures, [string, string, string]> = {
      step: ['GPU step (next -> stopped), paging-lab', 'GPU step, floor', '  (target <= 3x, < 1.2 ms)'],
      refresh: ['stop refresh (threads+stackTrace+scopes+variables)', 'stop refresh, floor', '  (target <= 3x, < 0.25 ms)'],
      read: ['readMemory 1 MiB', 'readMemory 1 MiB, floor', ''],
      disassemble: ['disassemble 1,000 instructions', 'disassemble 1,000 instructions, floor', ''],
    };
    for (const k of KEYS) {
      const [label, floorLabel, target] = labels[k];
      const j = judged(ours, floors, k);
      row(label, ms(ours[j.round][k]), `${j.ratio.toFixed(2)}x floor${target}; ${j.rounds}`);
      row(floorLabel, ms(floors[j.round][k]));
    }
    await driverSourceFigures(adapter, floor);
  },
};
