// The kernel's side of a driver session as the debugger shows it: segments' use, allocations and
// where they are, fences, the paging queue and paging buffers, read from the machine's state at
// the current stop. Used for the Adapter scope, the kernel's console commands, the extension's
// adapter-state views, and what the GPU view asks of the kernel (code regions, fences per engine).

import { debugAddressOfSegment, Gpu } from '../../sim/hw';
import type { MachineState } from '../../sim/machine';
import type { ConsoleCommand } from '../console';
import { numberArg } from '../console';
import type { AdapterStateResponse } from '../customRequests';
import { ExpressionError } from '../expression';
import type { CodeRegion } from '../gpu/disassembly';
import { formatAddress } from '../memoryReference';
import { allocationDataId } from '../gpu/dataBreakpoints';
import type { VarNode } from '../model';
import { hex } from '../../isa/hex';
import { priorityName } from '../../sim/ddi/priorities';

export class KernelView {
  constructor(
    /** The machine's state at the current stop (read fresh when the target is not stopped). */
    private readonly state: () => MachineState,
    private hw: Gpu,
  ) {}

  /** Reads another machine's GPU from now on (time travel reached a moment on another machine). */
  follow(hw: Gpu): void {
    this.hw = hw;
  }

  allocationVar(a: MachineState['allocations'][number]): VarNode {
    const seg = a.segmentId !== undefined ? this.hw.segments.find((s) => s.id === a.segmentId) : undefined;
    const where = a.residency === 'resident' && seg ? `${seg.name}+${hex(a.offset ?? 0)}` : 'system memory';
    const ref = a.residency === 'resident' && a.segmentId !== undefined ? formatAddress(debugAddressOfSegment(a.segmentId, a.offset ?? 0)) : undefined;
    return {
      name: `#${a.handle} ${a.name}`,
      value: `${hex(a.size)} bytes, ${a.residency} in ${where}${a.locked ? ', locked' : ''}${a.busy ? ', busy' : ''}`,
      memoryReference: ref,
      dataId: allocationDataId(a.handle),
      children: [
        { name: 'handle', value: String(a.handle) },
        { name: 'size', value: hex(a.size) },
        { name: 'residency', value: a.residency },
        { name: 'location', value: where, memoryReference: ref },
        { name: 'locked', value: String(a.locked) },
        { name: 'content', value: a.content },
        { name: 'busy', value: String(a.busy) },
        { name: 'lastPagingOperation', value: a.lastPagingOperation ?? 'none' },
        { name: 'priority', value: priorityName(a.priority) },
        ...(a.swizzlingRange ? [{ name: 'swizzlingRange', value: `RangeId ${a.swizzlingRange.id}, SwizzlingRangeData ${hex(a.swizzlingRange.data)}, ${rangeUse(a.swizzlingRange)}` }] : []),
        ...(a.bank ? [{ name: 'bank', value: String(a.bank) }] : []),
        ...(a.bankHints ? [{ name: 'HintedBank', value: hintedBankText(a.bankHints) }] : []),
        ...(a.evictionSegmentSet ? [{ name: 'EvictionSegmentSet', value: `${hex(a.evictionSegmentSet)} (evicted through ${this.namesOf(a.evictionSegmentSet)})` }] : []),
      ],
    };
  }

  /** The names of the segments a segment set's bits name. */
  private namesOf(set: number): string {
    return this.hw.segments.filter((s) => set & (2 ** (s.id - 1))).map((s) => s.name).join(', ') || 'no segment';
  }

  adapterVars(): VarNode[] {
    const st = this.state();
    return [
      { name: 'time', value: `${st.time} ns` },
      {
        name: 'segments',
        value: `${st.segments.length} segments`,
        children: st.segments.map((s) => ({
          name: `${s.id} ${s.name}`,
          value: `${s.kind}, ${hex(s.used)} of ${hex(s.size)} used, ${s.resident} resident${s.cpuVisible ? ', CPU-visible' : ''}${s.banks ? `, ${s.banks.length} banks` : ''}`,
          memoryReference: formatAddress(debugAddressOfSegment(s.id)),
          ...(s.banks
            ? { children: s.banks.map((b, i) => ({ name: `bank ${i + 1}`, value: `[${hex(b.start)}, ${hex(b.end)})`, memoryReference: formatAddress(debugAddressOfSegment(s.id, b.start)) })) }
            : {}),
        })),
      },
      { name: 'allocations', value: `${st.allocations.length} allocations`, lazy: 'allocations', count: st.allocations.length },
      {
        name: 'fences',
        value: st.engines.map((e) => `engine ${e.engine}: ${e.lastCompletedFence}/${e.lastSubmittedFence}`).join(', '),
        children: st.engines.map((e) => ({ name: `engine ${e.engine}`, value: `completed ${e.lastCompletedFence}, submitted ${e.lastSubmittedFence}, paging fence ${e.pagingFence}` })),
      },
      {
        name: 'pagingQueue',
        value: `${st.engines.reduce((a, e) => a + e.queue.length, 0)} in flight`,
        children: st.engines.flatMap((e) => e.queue.map((q) => ({ name: `fence ${q.fenceId}`, value: `${q.kind} on engine ${e.engine}: ${q.label}` }))),
      },
      {
        name: 'pagingBuffers',
        value: `${st.pagingBuffers.length} buffers`,
        children: st.pagingBuffers.map((b, i) => ({
          name: `[${i}] ${hex(b.physical)}`,
          value: `${b.state}, written ${hex(b.start)}..${hex(b.write)} of ${hex(b.limit)}`,
          memoryReference: formatAddress(b.physical),
        })),
      },
    ];
  }

  /** Paging buffers and the submissions the engines run: where instructions are. */
  codeRegions(): CodeRegion[] {
    const st = this.state();
    const regions = st.pagingBuffers.map((b, i) => ({ start: b.physical, length: b.write, name: `paging buffer ${i}` }));
    for (let i = 0; i < this.hw.config.engines; i++) {
      const v = this.hw.engineView(i);
      if (v.current && !regions.some((r) => r.start === v.current!.physical)) regions.push({ start: v.current.physical, length: v.current.length, name: `submission ${v.current.submissionId}` });
    }
    return regions;
  }

  /** The resident allocation an address of the debug address space falls in. */
  allocationAt(address: number): string | undefined {
    const st = this.state();
    for (const a of st.allocations) {
      if (a.residency !== 'resident' || a.segmentId === undefined) continue;
      const base = debugAddressOfSegment(a.segmentId, a.offset ?? 0);
      if (address >= base && address < base + a.size) return `${a.name} (#${a.handle})`;
    }
    return undefined;
  }

  adapterState(): AdapterStateResponse {
    const st = this.state();
    return {
      time: st.time,
      segments: st.segments.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        size: s.size,
        used: s.used,
        cpuVisible: s.cpuVisible,
        allocations: st.allocations.filter((a) => a.segmentId === s.id).length,
        resident: s.resident,
        memoryReference: formatAddress(debugAddressOfSegment(s.id)),
      })),
      allocations: st.allocations.map((a) => ({
        handle: a.handle,
        name: a.name,
        size: a.size,
        state: a.residency === 'resident' ? 'resident' : 'evicted',
        segmentId: a.segmentId,
        offset: a.offset,
        locked: a.locked,
        lastPagingOperation: a.lastPagingOperation,
        priority: priorityName(a.priority),
        swizzlingRange: a.swizzlingRange,
        bank: a.bank,
        hintedBank: a.bankHints && hintedBankText(a.bankHints),
        evictionSegmentSet: a.evictionSegmentSet,
        memoryReference: a.residency === 'resident' && a.segmentId !== undefined ? formatAddress(debugAddressOfSegment(a.segmentId, a.offset ?? 0)) : undefined,
      })),
      fences: st.engines.map((e) => ({ name: `engine ${e.engine}`, value: `${e.lastCompletedFence}/${e.lastSubmittedFence}` })),
      pagingQueue: st.engines.flatMap((e) =>
        e.queue.map((q, i) => ({ fenceValue: String(q.fenceId), operation: q.label, state: (i === 0 && e.state !== 'idle' ? 'running' : 'queued') as 'running' | 'queued' })),
      ),
    };
  }

  /** `!swizzle`: VidMm's RangeIds, then the hardware's ranges and the allocation each lies over. */
  private swizzleText(): string {
    const st = this.state();
    const held = st.allocations.filter((a) => a.swizzlingRange).sort((x, y) => x.swizzlingRange!.id - y.swizzlingRange!.id);
    const declared = st.paths?.declaredSwizzlingRanges ?? 0;
    const lines = [`VidMm holds ${held.length} of the ${declared} swizzling range${declared === 1 ? '' : 's'} the driver declared (DXGK_DRIVERCAPS.NumberOfSwizzlingRanges)${held.length ? ':' : ''}`];
    for (const a of held) {
      const r = a.swizzlingRange!;
      lines.push(`  RangeId ${r.id}: #${a.handle} ${a.name}, ${rangeUse(r)}, SwizzlingRangeData ${hex(r.data)}${r.privateData ? `, PrivateDriverData ${hex(r.privateData)}` : ''}`);
    }
    const hw = this.hw.swizzlingRanges();
    lines.push(`the hardware has ${hw.length} of ${this.hw.config.swizzlingRanges} unswizzling ranges programmed${hw.length ? ':' : ''}`);
    for (const r of hw) {
      const seg = this.hw.segments.find((s) => s.id === r.segmentId);
      const over = st.allocations.filter((a) => a.segmentId === r.segmentId && a.offset !== undefined && a.offset < r.offset + r.size && r.offset < a.offset + a.size);
      lines.push(`  ${seg?.name ?? `segment ${r.segmentId}`}+${hex(r.offset)}..${hex(r.offset + r.size)}, pitch ${r.pitch}: over ${over.length ? over.map((a) => `#${a.handle} ${a.name}`).join(', ') : 'no resident allocation'}`);
    }
    return lines.join('\n');
  }

  /** Registers the kernel keeps for `engine`, shown after the engine's own. */
  kernelRegisters(engine: number): VarNode[] {
    const e = this.state().engines.find((x) => x.engine === engine);
    return e
      ? [
          { name: 'lastSubmittedFence', value: String(e.lastSubmittedFence), type: 'fence' },
          { name: 'lastCompletedFence', value: String(e.lastCompletedFence), type: 'fence' },
        ]
      : [];
  }

  /** `!alloc`, `!pagingqueue` and `!swizzle`: what only the kernel knows. */
  commands(): { alloc: ConsoleCommand; pagingqueue: ConsoleCommand; swizzle: ConsoleCommand } {
    return {
      alloc: {
        name: 'alloc',
        args: '[N]',
        help: 'One allocation by handle, or all of them.',
        run: (argv) => {
          const all = this.state().allocations;
          const list = argv[0] ? all.filter((a) => a.handle === numberArg(argv, 0, 'N')) : all;
          if (!list.length) {
            if (!argv[0]) return 'no allocation exists yet at this moment (DxgkDdiCreateAllocation has not been called)';
            throw new ExpressionError(`no allocation ${argv[0]}; handles: ${all.map((a) => a.handle).join(', ') || 'none'}`);
          }
          return list
            .map((a) => {
              const v = this.allocationVar(a);
              return `${v.name}: ${v.value}${a.lastPagingOperation ? `; last paging operation: ${a.lastPagingOperation}` : ''}${v.memoryReference ? `; at ${v.memoryReference}` : ''}`;
            })
            .join('\n');
        },
      },
      swizzle: {
        name: 'swizzle',
        args: '',
        help: 'The swizzling ranges VidMm holds (in use by a CPU lock, or cached) and the unswizzling ranges programmed in the hardware.',
        run: () => this.swizzleText(),
      },
      pagingqueue: {
        name: 'pagingqueue',
        args: '',
        help: 'What each engine has in flight, by fence id.',
        run: () =>
          this.state()
            .engines.map((e) => `engine ${e.engine} (${e.state}): ${e.queue.length ? e.queue.map((q) => `\n  fence ${q.fenceId} ${q.kind}: ${q.label}`).join('') : 'nothing in flight'}`)
            .join('\n'),
      },
    };
  }
}

type HeldRangeView = NonNullable<MachineState['allocations'][number]['swizzlingRange']>;

/** Whether a held swizzling range is in use by a CPU lock or cached since one, in the Variables' and !swizzle's words. */
function rangeUse(r: HeldRangeView): string {
  return r.inUse ? 'in use by a CPU lock' : 'cached since a lock';
}

/** HintedBank in words, most preferred first: 'bank 3 from the top', 'bank 2, then bank 1'. */
function hintedBankText(hints: readonly { bank: number; topDown: boolean }[]): string {
  return hints.map((h) => `bank ${h.bank}${h.topDown ? ' from the top' : ''}`).join(', then ');
}
