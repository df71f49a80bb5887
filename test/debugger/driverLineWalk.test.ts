// Reverse Continue and Continue at the driver's line breakpoints, in random order: over seeded
// random sets of breakpoints in the reference driver's DxgkDdiBuildPagingBuffer (its Transfer loop
// and the other operations), the stops met going forward are listed, then a random walk of Reverse
// Continue and Continue must meet them again, one back or one on each time, the same line, the same
// call (its kernel frames) and the same locals. Breakpoints are removed on the way (the current
// stop's too, or only others), and in some walks set again. Seeds 12 to 14 of the walks that keep the
// current stop's breakpoint once took the adapter down, when every setBreakpoints placed each
// breakpoint in V8 anew (the inspector entered a driver context the collector had taken,
// sim/driver/takenContexts.ts); seeds 21, 31, 38 and 47 of those that remove it once miscounted the
// call's pauses.

import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { createRandom } from '../../src/sim/hw';
import { lineOf, REFERENCE } from '../sim/driver/drivers';
import { AdapterClient, adapterPerTest, expectEvent, launchAndStop as start } from './harness';

const KERNEL = 1;

/** Lines of DxgkDdiBuildPagingBuffer and the Transfer loop it calls, a breakpoint each. */
const CANDIDATES = [
  'const t = args.Transfer;',
  'const allocation = t.hAllocation as Allocation | null;',
  'const n = Math.min(MAX_COPY_BYTES, transferSize - done);',
  "emit(args, 'copy', [dst, src, n]);",
  '    done += n;',
  'const f = args.Fill;',
  "emit(args, 'fill', [segmentAt(registers, f.Destination.SegmentId, f.Destination.SegmentAddress), f.FillSize, f.FillPattern]);",
  'const d = args.DiscardContent;',
].map((text) => lineOf(REFERENCE, text));

/** Where the session stands: the top frame's line, the frames below it, and the locals that change in a call. */
async function where(dc: AdapterClient): Promise<string> {
  const frames = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
  const top = frames[0];
  const value = async (expression: string): Promise<string> => {
    const r = (await dc.request('evaluate', { expression, frameId: top.id, context: 'watch' })) as DebugProtocol.EvaluateResponse;
    return r.success ? r.body.result : '-';
  };
  const locals = [await value('args.MultipassOffset'), await value('typeof done === "number" ? done : "-"'), await value('args.Operation')];
  return `${top.line} | ${frames
    .slice(1)
    .map((f) => f.name)
    .join(' < ')} | ${locals.join(' ')}`;
}

describe('debug adapter: Reverse Continue and Continue at driver line breakpoints, in random order', function () {
  this.timeout(120000);
  const adapter = adapterPerTest();
  let dc: AdapterClient;
  beforeEach(() => {
    dc = adapter();
  });

  const walks = [
    ...[1, 2, 3, 4, 12, 13, 14].map((seed) => ({ seed, removesCurrent: false, readds: false })),
    ...[1, 2, 21, 31, 38, 47].map((seed) => ({ seed, removesCurrent: true, readds: false })),
    ...[1, 2, 3, 4, 5, 6].map((seed) => ({ seed, removesCurrent: true, readds: true })),
  ];
  for (const { seed, removesCurrent, readds } of walks) {
    const kind = `${removesCurrent ? ', the current stop\'s breakpoint removable' : ''}${readds ? ', removed ones set again' : ''}`;
    it(`meets again the stops met going forward (seed ${seed}${kind})`, async () => {
      const rnd = createRandom(seed);
      const lines = CANDIDATES.filter(() => rnd.next() < 0.5);
      if (!lines.length) lines.push(CANDIDATES[2]);
      await start(dc, {}, async () => {
        await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: lines.map((line) => ({ line })) });
      });
      const forward = [await where(dc)];
      for (let i = 0; i < 8; i++) {
        const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
        if (s.body.reason !== 'breakpoint') break;
        forward.push(await where(dc));
      }
      assert.ok(forward.length >= 3, `stops going forward with breakpoints on lines ${lines.join(', ')}: ${forward.join(' / ')}`);
      // A walk over the stops by their place going forward; a breakpoint removed on the way (at a stop
      // inside a call too, not its own) takes its stops out of the walk: it must skip them both ways.
      const lineOf = (i: number): number => Number(forward[i].split(' ')[0]);
      let kept = new Set(lines);
      let at = forward.length - 1;
      const walk: string[] = [];
      const before = (): number => {
        for (let i = at - 1; i >= 0; i--) if (kept.has(lineOf(i))) return i;
        return -1;
      };
      const after = (): number => {
        for (let i = at + 1; i < forward.length; i++) if (kept.has(lineOf(i))) return i;
        return -1;
      };
      for (let step = 0; step < 16; step++) {
        // The breakpoint of the stop the session stands at too, in walks of the first kind (V8 keeps it, stopping nowhere, while the session is in that call).
        const removable = removesCurrent ? [...kept] : [...kept].filter((l) => l !== lineOf(at));
        if (removable.length && kept.size > 1 && rnd.next() < 0.15) {
          const gone = removable[Math.floor(rnd.next() * removable.length)];
          kept = new Set([...kept].filter((l) => l !== gone));
          await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [...kept].map((line) => ({ line })) });
          walk.push(`-${gone}`);
          continue;
        }
        const removed = lines.filter((l) => !kept.has(l));
        if (readds && removed.length && rnd.next() < 0.2) {
          const again = removed[Math.floor(rnd.next() * removed.length)];
          kept = new Set([...kept, again]);
          await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [...kept].map((line) => ({ line })) });
          walk.push(`+${again}`);
          continue;
        }
        const b = before();
        const a = after();
        if (b < 0 && a < 0) break;
        const back = a < 0 || (b >= 0 && rnd.next() < 0.6);
        const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => (back ? dc.request('reverseContinue', { threadId: KERNEL }) : dc.continueRequest({ threadId: KERNEL })));
        at = back ? b : a;
        walk.push(back ? 'back' : 'on');
        assert.equal(s.body.reason, 'breakpoint', walk.join(' '));
        assert.equal(await where(dc), forward[at], `after ${walk.join(' ')} (lines ${lines.join(', ')})`);
      }
    });
  }
});
