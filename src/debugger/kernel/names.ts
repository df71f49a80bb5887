// The names an expression can use at a stop of a driver session (the Debug Console, watches, hovers,
// breakpoint conditions, Set Value): the DDI call's arguments, its status and name, the kernel's
// allocations and segments, the DXGK_OPERATION_* constants and segment names, then the registers of
// a GPU engine. Read from the event the session stands at and the state read for it.

import { DXGK_OPERATION_NAMES } from '../../sim/ddi/contract';
import { debugAddressOfSegment } from '../../sim/hw';
import type { MachineEvent, MachineState } from '../../sim/machine';
import { UNKNOWN, type Value } from '../expression';
import type { GpuView } from '../gpu/view';
import { operationValue, statusValue, toValue } from '../targets/values';

type Lookup = (name: string) => Value | typeof UNKNOWN;

export class StopNames {
  constructor(
    private readonly current: () => MachineEvent | undefined,
    private readonly state: () => MachineState | undefined,
    private readonly gpu: GpuView,
  ) {}

  /** The names of DDI call `e` as its breakpoint conditions see them, then the session's. */
  ofCall(e: Extract<MachineEvent, { kind: 'ddi-entry' | 'ddi-return' }>): Lookup {
    const args = e.call.args as Record<string, unknown>;
    return (name) => {
      if (Object.prototype.hasOwnProperty.call(args, name)) return toValue(args[name], name);
      if (name === 'ddi') return e.call.ddi;
      if (name === 'callId') return e.call.id;
      if (name === 'status' && e.call.status !== undefined) return statusValue(e.call.status);
      return this.any(name);
    };
  }

  /** A name of the DDI call the session stands at, or of the kernel (no register). */
  kernel(name: string): Value | typeof UNKNOWN {
    const e = this.current();
    if (e && (e.kind === 'ddi-entry' || e.kind === 'ddi-return')) {
      const args = e.call.args as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(args, name)) return toValue(args[name], name);
      if (name === 'status' && e.call.status !== undefined) return statusValue(e.call.status);
      if (name === 'ddi') return e.call.ddi;
    }
    switch (name) {
      case 'allocations':
        return toValue(this.state()?.allocations ?? []);
      case 'segments':
        return toValue(this.state()?.segments ?? []);
    }
    if (name.startsWith('DXGK_OPERATION_')) {
      for (const v of Object.keys(DXGK_OPERATION_NAMES)) {
        const ov = operationValue(Number(v));
        if (ov.names.includes(name)) return ov;
      }
    }
    const seg = this.gpu.hw.segments.find((s) => s.name === name);
    if (seg) return debugAddressOfSegment(seg.id);
    return UNKNOWN;
  }

  /** A name in an expression: the DDI call's and the kernel's first, then the registers of `engine`. */
  any(name: string, engine = 0): Value | typeof UNKNOWN {
    const own = this.kernel(name);
    return own !== UNKNOWN ? own : this.gpu.registerValue(engine, name);
  }

  /** Every name there is, for completion. */
  all(): string[] {
    const e = this.current();
    const args = e && (e.kind === 'ddi-entry' || e.kind === 'ddi-return') ? Object.keys(e.call.args) : [];
    return [...args, ...this.gpu.registerNames(), 'allocations', 'segments', 'status', 'ddi', ...this.gpu.hw.segments.map((s) => s.name)];
  }
}
