// Data breakpoints' cost: the shipped adapter runs the reference driver over `random-pressure`
// from its entry stop to its end (continue, no stop), with no data breakpoint and with one on 16
// bytes of system memory nothing writes (the worst kind: its bytes are compared after every step),
// in interleaved rounds (none, one, none, one...). The breakpoint is set at the entry stop: the
// adapter answers dataBreakpointInfo once the driver has loaded (its module's top level runs
// first). With PAGING_LAB_BENCH_BASELINE set to another build's dist/debugAdapter.js (the commit
// before a change), that adapter runs in the same rounds with none set: "with none set, as fast as
// before" is the ratio printed.

import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { row, type Suite } from './suite';

const ROOT = join(__dirname, '..');
const SCENARIO = join(ROOT, 'samples', 'scenarios', 'random-pressure.json');
const ROUNDS = 5;

/** Milliseconds from continuing at the entry stop to the run's end, with `watch` (an address) under a data breakpoint if given. */
async function runOnce(adapter: string, watch?: number): Promise<number> {
  const dc = new DebugClient(process.execPath, adapter, 'wddm');
  dc.defaultTimeout = 120000;
  await dc.start();
  try {
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest();
    const launched = dc.launchRequest({ scenario: SCENARIO, stopOnEntry: true } as never);
    await initialized;
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await launched;
    const stop = (await entry) as { body: { threadId: number } };
    if (watch !== undefined) {
      const info = (await dc.customRequest('dataBreakpointInfo', { name: '0x' + watch.toString(16), asAddress: true, bytes: 16 })) as { body: { dataId: string | null; description: string } };
      if (!info.body.dataId) throw new Error(`no data breakpoint at 0x${watch.toString(16)}: ${info.body.description}`);
      await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
    }
    const ended = dc.waitForEvent('terminated');
    const t0 = process.hrtime.bigint();
    await dc.continueRequest({ threadId: stop.body.threadId });
    await ended;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    await dc.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export const dataBreakpointsSuite: Suite = {
  name: 'dataBreakpoints',
  title: 'a whole random-pressure run in the debugger: no data breakpoint vs one (vs the baseline build with none)',
  async run() {
    const adapter = join(ROOT, 'dist', 'debugAdapter.js');
    const baseline = process.env.PAGING_LAB_BENCH_BASELINE;
    // 63 MiB into the 64 MiB of system memory the scenario has: mapped, and written by nobody.
    const quiet = 63 * 1024 * 1024;
    const none: number[] = [];
    const one: number[] = [];
    const before: number[] = [];
    await runOnce(adapter); // warm the disk cache and the driver's compile
    for (let r = 0; r < ROUNDS; r++) {
      if (baseline) before.push(await runOnce(baseline));
      none.push(await runOnce(adapter));
      one.push(await runOnce(adapter, quiet));
    }
    const ms = (n: number): string => `${n.toFixed(0)} ms`;
    console.log(`  medians of ${ROUNDS} interleaved rounds, continue at the entry stop -> terminated; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    row('no data breakpoint', ms(median(none)));
    row('one data breakpoint (16 bytes of system memory)', ms(median(one)), `${(median(one) / median(none)).toFixed(2)}x none`);
    if (baseline) row(`baseline build, none (${baseline})`, ms(median(before)), `this build with none: ${(median(none) / median(before)).toFixed(2)}x baseline`);
  },
};
