// What the machine reports to a host, one event at a time: every point where a host may stop.
// Events are plain data except `call.args`, which is the live argument object the driver sees
// (so a debugger can show and even edit it while stopped at a DDI entry).

import type { DdiName } from '../ddi/contract';
import type { Step } from '../scenario/types';

/** One call into the driver. `status` and `result` are filled in when it returns. */
export interface DdiCall {
  /** 1-based, in call order. */
  id: number;
  ddi: DdiName;
  args: Record<string, unknown>;
  /** NTSTATUS returned (unsigned), for DDIs that return one. */
  status?: number;
  /** The raw return value (boolean for DxgkDdiInterruptRoutine). */
  result?: unknown;
  /** What the kernel was doing, outermost first (scenario step, VidMm operation...). */
  cause: readonly string[];
}

export type KernelEventKind =
  | 'adapter-started'
  | 'allocation-created'
  | 'allocation-destroyed'
  | 'allocation-not-released'
  | 'eviction'
  | 'relocation'
  | 'compaction'
  | 'page-in'
  | 'paging-buffer-submitted'
  | 'submission'
  | 'fence-completed'
  | 'interrupt'
  | 'allocation-busy'
  | 'wait'
  | 'lock'
  | 'unlock'
  | 'cpu-write'
  | 'render'
  | 'pressure'
  | 'priority'
  | 'verify'
  | 'driver-print'
  | 'aperture-map'
  | 'aperture-unmap'
  | 'physical'
  | 'swizzling-range'
  | 'paging-queue'
  | 'paging-fence'
  | 'bus-master-dma';

export interface KernelEvent {
  kind: 'kernel';
  time: number;
  what: KernelEventKind;
  /** One readable line, as the command-line trace prints it. */
  message: string;
  /** Structured details (allocation name, segment, bytes, engine, fence id...). */
  data: Record<string, unknown>;
}

export type MachineEvent =
  | { kind: 'scenario-step'; time: number; index: number; step: Step }
  | { kind: 'ddi-entry'; time: number; call: DdiCall }
  | { kind: 'ddi-return'; time: number; call: DdiCall }
  | KernelEvent
  | {
      kind: 'instruction';
      time: number;
      engine: number;
      /** Bus address of the instruction about to execute. */
      address: number;
      /** Its offset in the submitted buffer. */
      offset: number;
      submissionId: number;
    }
  | { kind: 'error'; time: number; error: MachineError }
  | { kind: 'done'; time: number };

/** Why a run failed, said so the user can fix it. */
export interface MachineError {
  /** driver: a bug in the driver; scenario: bad or impossible input; gpu: the GPU faulted; verify: content lost. */
  category: 'driver' | 'scenario' | 'gpu' | 'verify' | 'internal';
  message: string;
  ddi?: string;
  /** The driver's file and line, when known. */
  location?: { file: string; line: number; column: number };
  /** The DDI's implementation, when `location` is another line inside it (the line that broke a verifier rule). */
  ddiLocation?: { file: string; line: number; column: number };
  /** JSON path into the scenario, when the problem is a scenario step. */
  path?: string;
  /** The verifier rule broken (src/sim/verifier/rules.ts), when the verifier stopped the run. */
  rule?: string;
}

export type Gen<R = void> = Generator<MachineEvent, R, void>;
