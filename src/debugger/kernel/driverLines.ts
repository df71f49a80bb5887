// Line breakpoints in the driver's code, going backwards. V8 holds them, not the kernel, and the
// run's log keeps no trace of which lines ran: a reverse continue with line breakpoints set runs the
// run again on a machine of its own (Timeline.scan), a stretch at a time back from where the
// session stands, while the session, told of each V8 pause at a line breakpoint, tells the worker
// through the inspector bridge (`linePause`) which line and whether a breakpoint there stops (a log
// point does not; V8 has checked the condition); a throw an exception filter stops at is told the
// same way, counted apart (its place begins 'throw '). Each pause is counted per DDI call and
// place, as the session counts them when it runs a call again (driverSource/callSteps.ts). The stop
// found is a call's last stopping pause, the `nth` at its place, dated the moment the call's code
// ran after (its DDI's entry: later than anything else of that moment, so checked first), and the
// session reaches it by running that call again from its entry. The search costs the replay back
// to the call found, not the whole run.

import type { Machine } from '../../sim/machine';
import type { Timeline } from '../../sim/timeline/timeline';
import type { DriverLinePause, DriverLinesSearch, DriverLinesWithin } from '../model';
import type { ReverseStop } from './dataWriters';
import { scanStretch } from './stretches';

export interface DriverLinesBackwards extends ReverseStop {
  /** Whether the run about to go backwards has line breakpoints to look for, and of the call it stood in which pauses count (the session says, with the run). */
  want(search: DriverLinesSearch | undefined): void;
  /** The session saw the driver pause at a line breakpoint at `at` (line:column of the compiled script); `stops`: one of them stops there. False: no search was listening. */
  notePause(at: string, stops: boolean): boolean;
}

export function driverLinesBackwards(timeline: Timeline): DriverLinesBackwards {
  /** The last stopping pause of each call found, by the moment its code ran after (its DDI's entry). */
  let hits = new Map<number, DriverLinePause>();
  /** Pauses after every moment from here to where the search began are known. */
  let knownFrom = 0;
  let wanted: DriverLinesSearch | undefined;
  let wantNext: DriverLinesSearch | undefined;
  let paused: () => boolean = () => false;
  /** The search under way: its machine, and pauses per call and line. */
  let scanning: { machine: Machine; counts: Map<string, number>; passed: boolean } | undefined;

  /** Finds the pauses after moments [start, to), the stretch back from `to` (./stretches.ts). */
  const searchStretch = (to: number): void => {
    knownFrom = scanStretch(timeline, to, () => paused(), (m: Machine) => {
      scanning = { machine: m, counts: new Map(), passed: false };
      return {
        stop: () => {
          scanning = undefined;
        },
      };
    });
  };

  return {
    want(search) {
      wantNext = search;
    },
    notePause(at, stops) {
      const s = scanning;
      if (!s) return false;
      const callId = s.machine.kernel.ddi.current?.id;
      if (callId === undefined) return true;
      const key = `${callId} ${at}`;
      const nth = (s.counts.get(key) ?? 0) + 1;
      s.counts.set(key, nth);
      const within = wanted?.within;
      if (within?.callId === callId && !counts(within, s, at, nth)) return true;
      // The driver runs between two events: the pause is after the moment its machine stands at.
      if (stops) hits.set(s.machine.eventCount, { callId, at, nth });
      return true;
    },
    begin(from, pauseRequested) {
      hits = new Map();
      knownFrom = from;
      wanted = wantNext;
      wantNext = undefined;
      paused = pauseRequested;
    },
    candidate(moment) {
      if (!wanted) return false;
      while (moment < knownFrom && knownFrom > 0) searchStretch(knownFrom);
      return hits.has(moment);
    },
    check() {
      const hit = hits.get(timeline.machine.eventCount);
      return hit ? { reason: 'breakpoint', driverLine: hit } : undefined;
    },
  };
}

/** Whether the `nth` pause at `at` in the call the search started in counts: it came before the stop the search started from. */
function counts(within: DriverLinesWithin, s: { passed: boolean }, at: string, nth: number): boolean {
  if (s.passed || !within.before) return false;
  if (within.before.at !== at || within.before.nth !== nth) return true;
  s.passed = true;
  return within.inclusive;
}
