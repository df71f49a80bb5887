// Who wrote (or read) the bytes a data breakpoint watches, said for the stop of a driver session: a
// GPU engine's instruction (its text as it ran, address and paging operation), the host (the CPU,
// bus-master DMA, the kernel or the debugger, and what the kernel was doing), or the driver inside
// a DDI call (the line that wrote them, found in the run's recording); and going back, the writer
// the write log names for the watched bytes at a moment.

import { basename } from 'node:path';
import { DXGK_OPERATION_NAMES } from '../../sim/ddi/contract';
import type { SourceLocation } from '../../sim/driver/errors';
import type { Machine, MachineEvent } from '../../sim/machine';
import { driverLines, lastWrite, writerText } from '../../sim/timeline/provenance';
import type { Timeline } from '../../sim/timeline/timeline';
import type { WriteRecord } from '../../sim/timeline/writeLog';
import { hex } from '../../isa/hex';
import type { DataHit } from '../gpu/dataBreakpoints';
import type { GpuView } from '../gpu/view';
import { type DriverLinePause, GPU_THREAD_BASE, KERNEL_THREAD_ID, type StopReason } from '../model';
import { SubmittedOperations } from './submittedOperations';

/**
 * A kind of breakpoint reverse continue also stops at (data breakpoints): `begin` is told where a
 * search starts; `candidate` says, without moving the session (from the moment index and write log,
 * or a replay of its own), whether moment `moment` may stop; `check` decides with the machine
 * standing at that moment, and says why (and on which thread, when not the kernel's).
 */
export interface ReverseStop {
  /** A search starts at moment `from`; `pauseRequested` says when the user asked it to stop. */
  begin?(from: number, pauseRequested: () => boolean): void;
  candidate(moment: number): boolean;
  /** A stop at `e`; `driverLine`: a pause at a line breakpoint inside the DDI call that returned there, which the session reaches by running the call again. */
  check(e: MachineEvent): { reason: StopReason; text?: string; hitBreakpointIds?: number[]; thread?: number; driverLine?: DriverLinePause } | undefined;
}

/** What a data breakpoint's stop says: its text, the thread that wrote, and the driver's lines that did (innermost first). */
export interface DataStopText {
  text: string;
  thread: number;
  lines: SourceLocation[];
}

export class DataWriters {
  /** The operations of the paging buffers submitted lately: which paging operation a GPU instruction belongs to. */
  private readonly operations = new SubmittedOperations();

  constructor(
    private readonly timeline: Timeline,
    private readonly gpu: GpuView,
  ) {}

  private get machine(): Machine {
    return this.timeline.machine;
  }

  /** A paging buffer was submitted (the kernel event's data): its operations and where their instructions lie. */
  noteSubmitted(data: Record<string, unknown> | undefined): void {
    this.operations.note(data);
  }

  /** The paging operation whose instructions include physical `address`, among those submitted lately. */
  operationAt(address: number): string | undefined {
    return this.operations.at(address);
  }

  /** Data breakpoints hit in the step that ended at `e`: who wrote, on which thread. */
  describe(e: MachineEvent, hit: DataHit): DataStopText {
    const gpuWrite = hit.writes.find((w) => w.engine >= 0);
    const what = hit.labels.join(', ');
    if (gpuWrite) {
      const at = gpuWrite.instruction;
      const instruction = gpuWrite.instructionBytes ? this.gpu.instructionTextOf(gpuWrite.instructionBytes) : at === undefined ? undefined : this.gpu.instructionText(at);
      const text = `${what} ${gpuWrite.access === 'read' ? 'read' : 'written'} by GPU engine ${gpuWrite.engine}: ${at === undefined ? 'an instruction' : `${instruction} at ${hex(at)}`} (${gpuWrite.length} bytes at ${hex(gpuWrite.debugAddress)})${gpuWrite.operation ? `, paging operation ${gpuWrite.operation}` : ''}`;
      return { text, thread: GPU_THREAD_BASE + gpuWrite.engine, lines: [] };
    }
    if (hit.writes.length) {
      const w = hit.writes[0];
      const by = w.access === 'read' ? `read by ${w.reader ?? 'the host'}` : `written by ${w.writer ?? 'the host'}`;
      return { text: `${what} ${by} (${this.kernelDoing()}): ${w.length} bytes at ${hex(w.debugAddress)}`, thread: KERNEL_THREAD_ID, lines: [] };
    }
    const u = hit.unreported[0];
    const span = u ? `${u.length} byte${u.length === 1 ? '' : 's'} at ${hex(u.address)}` : 'memory';
    if (e.kind !== 'ddi-return') return { text: `${what} written by the kernel (${this.kernelDoing()}): ${span}`, thread: KERNEL_THREAD_ID, lines: [] };
    const lines = u ? this.driverLinesOf(u.address) : [];
    const at = lines[0] ? ` at ${basename(lines[0].file)}:${lines[0].line}` : ' (directly into the bytes, not through writeInstruction: no line is known)';
    return { text: `${what} written by the driver in ${e.call.ddi} #${e.call.id}${operationOf(e.call.args)}${at}: ${span}`, thread: KERNEL_THREAD_ID, lines };
  }

  /**
   * Data breakpoints going backwards: a moment whose logged writes touch watched memory, read from
   * the run's write log (conditions and hit counts count forward runs only, as for the other kinds).
   * The stop names the writer of the latest such write made at the moment.
   */
  backwards(): ReverseStop {
    const hitsAt = (moment: number): { ids: number[]; labels: string[]; write: WriteRecord } | undefined => {
      const data = this.gpu.data;
      if (!data.active) return undefined;
      const log = this.timeline.recording.log;
      for (let i = log.firstAtOrAfter(moment + 1) - 1; i >= 0 && log.momentOf(i) === moment; i--) {
        const hit = data.loggedWatches(log, i);
        if (hit.ids.length) return { ...hit, write: log.get(i) };
      }
      return undefined;
    };
    return {
      candidate: (moment) => hitsAt(moment) !== undefined,
      check: () => {
        const hit = hitsAt(this.machine.eventCount);
        if (!hit) return undefined;
        const w = hit.write;
        const span = `${w.length} byte${w.length === 1 ? '' : 's'} at ${hex(w.debugAddress)}`;
        const thread = w.writer === 'gpu' ? GPU_THREAD_BASE + w.engine : undefined;
        return { reason: 'data breakpoint', text: `${hit.labels.join(', ')} written by ${writerText(this.timeline.recording, w)}: ${span}`, hitBreakpointIds: hit.ids, thread };
      },
    };
  }

  /** The driver lines (innermost first) of the driver's last write to the byte at physical `address`, from the recording. */
  private driverLinesOf(address: number): SourceLocation[] {
    const rec = this.timeline.recording;
    const w = lastWrite(rec, 'system', address, this.machine.eventCount);
    return w && w.writer === 'driver' ? driverLines(rec, w) : [];
  }

  /** What the kernel is doing now, innermost first, in its own words. */
  private kernelDoing(): string {
    const f = this.machine.kernel.frames;
    return f.length ? f[f.length - 1] : 'the kernel';
  }
}

function operationOf(args: Record<string, unknown>): string {
  const op = args.Operation;
  return typeof op === 'number' ? ` (${DXGK_OPERATION_NAMES[op] ?? op})` : '';
}
