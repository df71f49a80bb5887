// How reverse continue searches what the run's log does not keep (the GPU's reads, the driver's
// pauses): the run again on a machine of its own (Timeline.scan), a stretch at a time back from where
// the session stands, each from the checkpoint behind it, looking every so often whether the user
// asked for a pause (SearchPaused ends the search where the session stands).

import type { Machine, MachineEvent } from '../../sim/machine';
import type { Timeline } from '../../sim/timeline/timeline';

/** A stretch shorter than this is not searched on its own: it starts further back (fewer machines made and parked for nothing). */
const MIN_STRETCH = 2000;
/** Moments replayed between two looks at whether the user asked for a pause. */
const PAUSE_EVERY = 1024;

/** Thrown out of a search the user paused (thrown through the moment index's scan, caught by the target). */
export class SearchPaused extends Error {
  constructor() {
    super('reverse continue paused while it searched the run again');
  }
}

/**
 * Runs moments (start, to] again, start being the latest checkpoint at least MIN_STRETCH behind
 * `to` (or the run's start), `watch` made for the stretch's machine and told of each event after
 * `start`; returns `start`. Throws SearchPaused when `paused` says so.
 */
export function scanStretch(
  timeline: Timeline,
  to: number,
  paused: () => boolean,
  watch: (m: Machine) => { event?(e: MachineEvent): void; stop(): void },
): number {
  let start = 0;
  for (const c of timeline.checkpoints) if (c <= to - MIN_STRETCH && c > start) start = c;
  timeline.scan(start, to, (m: Machine) => {
    const w = watch(m);
    let n = 0;
    return {
      event: (e) => {
        if ((++n & (PAUSE_EVERY - 1)) === 0 && paused()) throw new SearchPaused();
        w.event?.(e);
      },
      stop: () => w.stop(),
    };
  });
  return start;
}
