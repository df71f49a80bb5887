// Builds a Chrome trace-event file (the JSON Perfetto and chrome://tracing open) from a machine run:
// one timeline per GPU engine with paging operations, render buffers and fences as slices, the
// kernel's DDI calls and events as instants, and segment usage as counters. Times are virtual.

import { OPCODE_BY_CODE } from '../isa/opcodes';
import type { MachineEvent } from '../sim/machine';
import type { RetiredInstruction } from '../sim/kernel/kernel';

interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

const GPU = 1;
const KERNEL = 2;

interface Range {
  physical: number;
  length: number;
  label: string;
  cat: string;
}

export class ChromeTrace {
  private readonly events: TraceEvent[] = [];
  private readonly ranges: Range[] = [];
  private readonly open = new Map<number, TraceEvent>();
  private readonly engines = new Set<number>();

  constructor(private readonly readByte: (address: number) => number) {
    this.events.push({ name: 'process_name', ph: 'M', ts: 0, pid: GPU, tid: 0, args: { name: 'GPU' } });
    this.events.push({ name: 'process_name', ph: 'M', ts: 0, pid: KERNEL, tid: 0, args: { name: 'Kernel (VidMm, VidSch) and driver' } });
    this.events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: KERNEL, tid: 1, args: { name: 'DDI calls and kernel events' } });
  }

  onEvent(e: MachineEvent, segments: () => { name: string; used: number }[]): void {
    const ts = e.time / 1000;
    if (e.kind === 'ddi-return') {
      this.events.push({
        name: e.call.ddi,
        ph: 'i',
        s: 't',
        ts,
        pid: KERNEL,
        tid: 1,
        cat: 'ddi',
        args: { status: e.call.status === undefined ? undefined : `0x${e.call.status.toString(16)}`, cause: e.call.cause.join(' > ') },
      });
    } else if (e.kind === 'kernel') {
      if (e.what === 'paging-buffer-submitted') {
        for (const op of e.data.operations as { label: string; physical: number; length: number }[]) {
          this.ranges.push({ physical: op.physical, length: op.length, label: op.label, cat: 'paging' });
        }
      } else if (e.what === 'render') {
        this.ranges.push({ physical: e.data.physical as number, length: e.data.length as number, label: e.message.replace(/ submitted.*/, ''), cat: 'render' });
      }
      if (e.what === 'driver-print' || e.what === 'wait') return;
      this.events.push({ name: e.what, ph: 'i', s: 't', ts, pid: KERNEL, tid: 1, cat: 'kernel', args: { message: e.message } });
      if (e.what === 'eviction' || e.what === 'page-in' || e.what === 'relocation' || e.what === 'adapter-started') {
        const args: Record<string, number> = {};
        for (const s of segments()) args[s.name] = s.used;
        this.events.push({ name: 'segment bytes used', ph: 'C', ts, pid: GPU, tid: 0, args });
      }
    }
  }

  onRetired(r: RetiredInstruction): void {
    if (!this.engines.has(r.engine)) {
      this.engines.add(r.engine);
      this.events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: GPU, tid: r.engine + 1, args: { name: `engine ${r.engine}` } });
    }
    let range: Range | undefined;
    for (let i = this.ranges.length - 1; i >= 0 && i >= this.ranges.length - 256; i--) {
      const x = this.ranges[i];
      if (r.address >= x.physical && r.address < x.physical + x.length) {
        range = x;
        break;
      }
    }
    const name = range?.label ?? OPCODE_BY_CODE[this.readByte(r.address)]?.mnemonic ?? 'instruction';
    const cat = range?.cat ?? 'gpu';
    const last = this.open.get(r.engine);
    const ts = r.start / 1000;
    const end = r.end / 1000;
    if (last && last.name === name && Math.abs(last.ts + (last.dur ?? 0) - ts) < 1e-9) {
      last.dur = end - last.ts;
      return;
    }
    const ev: TraceEvent = { name, ph: 'X', ts, dur: Math.max(end - ts, 0.001), pid: GPU, tid: r.engine + 1, cat, args: { submission: r.submissionId } };
    this.events.push(ev);
    this.open.set(r.engine, ev);
  }

  json(): string {
    return JSON.stringify({ traceEvents: this.events, displayTimeUnit: 'ns', otherData: { generator: 'paging-lab run' } });
  }
}
