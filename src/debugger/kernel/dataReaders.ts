// Watches on reads, going backwards. The run's log keeps writes (src/sim/timeline/writeLog.ts), not
// reads: keeping them would cost every recorded run what only a watch on reads needs. So a reverse
// continue with such a watch runs the run again on a machine of its own (Timeline.scan), the
// watches hearing its GPU's reads, a stretch at a time back from where the session stands (from the
// checkpoint behind the stretch), until the moments searched reach a read. It costs the replay back
// to the read found, not the whole run; what a search found is forgotten when the next begins (the
// watches, the edits and the moment may have changed since). A pause asked for during a search ends
// it where the session stands (SearchPaused, ./stretches.ts).

import type { Machine, MachineEvent } from '../../sim/machine';
import type { Timeline } from '../../sim/timeline/timeline';
import { UNKNOWN } from '../expression';
import type { DataBreakpoints, DataHit } from '../gpu/dataBreakpoints';
import type { DataStopText, ReverseStop } from './dataWriters';
import { scanStretch } from './stretches';
import { SubmittedOperations } from './submittedOperations';

/** Reverse continue's stops at reads of what `data` watches, in `timeline`'s run; `describe` words a stop as going forward. */
export function readsBackwards(timeline: Timeline, data: DataBreakpoints, describe: (e: MachineEvent, hit: DataHit) => DataStopText): ReverseStop {
  /** Reads found, by the moment they made. */
  let hits = new Map<number, DataHit>();
  /** Every moment from here to where the search began has been searched. */
  let searchedFrom = 0;
  let wanted = false;
  let paused: () => boolean = () => false;

  /** Searches moments (start, to], the stretch back from `to` (./stretches.ts). */
  const searchStretch = (to: number): void => {
    const start = scanStretch(timeline, to, () => paused(), (m: Machine) => {
      const operations = new SubmittedOperations();
      const scan = data.readScan(m.gpu, {
        allocation: (handle) => m.kernel.vidmm?.allocations.get(handle),
        operationAt: (address) => operations.at(address),
        lookup: () => UNKNOWN,
      });
      return {
        event: (e) => {
          if (e.kind === 'kernel' && e.what === 'paging-buffer-submitted') operations.note(e.data);
          const hit = scan?.take();
          if (hit) hits.set(m.eventCount, hit);
        },
        stop: () => scan?.stop(),
      };
    });
    searchedFrom = start + 1;
  };

  return {
    begin(from, pauseRequested) {
      hits = new Map();
      searchedFrom = from;
      wanted = data.wantsReads;
      paused = pauseRequested;
    },
    candidate(moment) {
      if (!wanted) return false;
      while (moment < searchedFrom && searchedFrom > 1) searchStretch(searchedFrom - 1);
      return hits.has(moment);
    },
    check(e) {
      const hit = hits.get(timeline.machine.eventCount);
      if (!hit) return undefined;
      const { text, thread } = describe(e, hit);
      return { reason: 'data breakpoint', text, hitBreakpointIds: hit.ids, thread };
    },
  };
}
