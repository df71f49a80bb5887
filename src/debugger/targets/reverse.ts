// Where a step back or a reverse continue lands, found in the run's moment index
// (src/sim/timeline/moments.ts) without running anything: the kernel thread goes back one DDI call,
// kernel event or scenario step; a GPU engine's thread goes back one instruction, whether the
// kernel's schedule ran it (an instruction moment) or a step ran it ahead of the kernel (an edit of
// the moment, Timeline.runEngineNow); reverse continue visits, latest first, the moments where a
// breakpoint of some kind could stop, and the target checks each there; Restart Frame goes to where
// a frame began (a DDI call's entry, a scenario step, a paging buffer's first instruction).

import { NT_SUCCESS } from '../../sim/ddi/contract';
import { KIND_DDI_ENTRY, KIND_DDI_RETURN, KIND_INSTRUCTION, KIND_KERNEL, KIND_SCENARIO_STEP, type MomentIndex } from '../../sim/timeline/moments';
import type { Edit, Position, Timeline } from '../../sim/timeline/timeline';
import type { FrameStarts } from '../kernel/frames';

/** The kernel thread one step back from `moment`: the latest DDI entry, kernel event or scenario step before it (the kinds a step on it stops at). */
export function kernelStepBack(index: MomentIndex, moment: number): Position | undefined {
  const p = index.findBackward(1, moment - 1, (kind) => kind === KIND_DDI_ENTRY || kind === KIND_KERNEL || kind === KIND_SCENARIO_STEP);
  return p === undefined ? undefined : { moment: p, acts: 0 };
}

/**
 * GPU engine `engine` one instruction back from `from`: the position just before the latest
 * instruction it executed. An instruction moment of the engine stands before that instruction; an
 * instruction run ahead is the `acts`-th edit of its moment, so the position before it is (moment, acts).
 */
export function engineStepBack(index: MomentIndex, edits: readonly Edit[], engine: number, from: Position): Position | undefined {
  const p = index.findBackward(1, from.moment - 1, (kind, aux) => kind === KIND_INSTRUCTION && aux === engine);
  let best: Position | undefined = p === undefined ? undefined : { moment: p, acts: 0 };
  const seen = new Map<number, number>();
  for (const e of edits) {
    const i = seen.get(e.moment) ?? 0;
    seen.set(e.moment, i + 1);
    if (e.kind !== 'runEngine' || e.engine !== engine) continue;
    // Ran before `from`: (moment, i + 1) <= from.
    if (!(e.moment < from.moment || (e.moment === from.moment && i + 1 <= from.acts))) continue;
    if (!best || e.moment > best.moment || (e.moment === best.moment && i >= best.acts)) best = { moment: e.moment, acts: i };
  }
  return best;
}

/** What makes a moment worth stopping at in reverse, as the index tells without running anything. */
export interface ReverseFilter {
  /** DDIs with a function or source breakpoint. */
  ddis: ReadonlySet<string>;
  /** Addresses with an instruction breakpoint. */
  instructions: ReadonlySet<number>;
  /** DDI returns that failed (the "Driver failure statuses" exception filter). */
  failures: boolean;
  /** Other kinds of breakpoint (data breakpoints): moments they may stop at. */
  extra: readonly ((moment: number) => boolean)[];
}

/** Moments before `before`, latest first, where a breakpoint in `filter` could stop. */
export function* reverseCandidates(index: MomentIndex, before: number, filter: ReverseFilter): Generator<number> {
  let to = before - 1;
  while (to >= 1) {
    const m = index.findBackward(1, to, (kind, aux, address, moment) => {
      if (kind === KIND_DDI_ENTRY && filter.ddis.size > 0 && filter.ddis.has(index.callDdi(aux) ?? '')) return true;
      if (kind === KIND_INSTRUCTION && filter.instructions.has(address)) return true;
      if (kind === KIND_DDI_RETURN && filter.failures) {
        const s = index.callStatus(aux);
        if (s !== undefined && !NT_SUCCESS(s)) return true;
      }
      return filter.extra.some((f) => f(moment));
    });
    if (m === undefined) return;
    yield m;
    to = m - 1;
  }
}

/**
 * Where the frames of a stop began, for Restart Frame, read from the moment index back from where
 * the session stands (a step, a paging buffer began a little before; a DDI call's entry is kept by
 * call).
 */
export function frameStarts(timeline: Timeline, midCall: () => boolean): FrameStarts {
  const index = () => timeline.recording.index;
  // A frame that began at the moment the session stands at has nowhere earlier to restart from;
  // but the driver paused inside a call stands after its moment (the call's entry), which is earlier.
  const earlier = (m: number | undefined): number | undefined => (m !== undefined && m > 0 && (m < timeline.moment || (midCall() && m === timeline.moment)) ? m : undefined);
  return {
    call: (id) => earlier(index().callEntry(id)),
    step: (i) => earlier(index().findBackward(1, timeline.moment, (kind, aux) => kind === KIND_SCENARIO_STEP && aux === i)),
    submission: (engine, submissionId) => {
      const ix = index();
      let first: number | undefined;
      // The engine's instructions back from here, while they are of this submission.
      for (let to = timeline.moment; to >= 1; ) {
        const m = ix.findBackward(1, to, (kind, aux) => kind === KIND_INSTRUCTION && aux === engine);
        if (m === undefined || ix.instructionAt(m)?.submissionId !== submissionId) break;
        first = m;
        to = m - 1;
      }
      return earlier(first);
    },
  };
}
