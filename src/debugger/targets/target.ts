// What the runtime worker drives: a debug target (a `.pgasm` program on the GPU engine, or a driver
// running on the simulated kernel). The worker owns the message loop; a target only answers. What
// every target has the same way (the GPU's threads, memory, disassembly, instruction breakpoints)
// is its GPU view (gpu/view.ts), which the worker asks directly; a target answers for the rest.

import type { AdapterStateResponse, WhoWroteResponse } from '../customRequests';
import type { DriverScript } from '../../sim/driver/sourceMap';
import type { GpuView } from '../gpu/view';
import type {
  BreakpointResult,
  DriverLinesSearch,
  FunctionBreakpointSpec,
  RunResult,
  SourceBreakpointSpec,
  StepKind,
  ThreadInfo,
  VarNode,
  SetVariableResult,
  EvaluateResult,
  CompletionItem,
  StopInfo,
} from '../model';

/** What a target may ask of the worker while it runs. */
export interface RunControl {
  /** True once the session asked for a pause; the target stops with reason `pause`. */
  pauseRequested(): boolean;
  /** The TDR delay in force from now on: the launch's, else the scenario's (set before any driver code runs). */
  useTdrDelay(ms: number): void;
  output(category: 'stdout' | 'stderr' | 'console' | 'important', text: string): void;
  /**
   * Set once when the session changed what the run in progress is for (the driver was paused at a
   * line of its source inside this run and the user went on from there): from now on the run
   * behaves as `run(step, threadId)` would; `callId` is the DDI call the driver was paused in, whose
   * return ends a kernel-thread step.
   */
  redirected(): Redirect | undefined;
}

export interface Redirect {
  step: StepKind;
  threadId: number;
  callId?: number;
}

/** Where the driver is when the debugger holds it paused at a line of its source, as the kernel sees it. */
export interface DriverPause {
  /** The stop as it would be at the entry of the DDI call in progress (threads, the kernel's and GPU frames). */
  stop: StopInfo;
  /** The DDI call in progress, if any (none while the driver's module loads). */
  callId?: number;
}

export interface Target {
  /** Memory, disassembly and instruction breakpoints in the debug address space. */
  readonly gpu: GpuView;
  threads(): ThreadInfo[];
  /** Names function breakpoints accept (DDI names). */
  functionNames(): string[];
  /** Runs to the first stop (entry, a breakpoint) or the end. */
  /** `stopOnEntry` overrides the launch's (a step off the end of the driver's module top level stops at the first DDI call). */
  start(ctl: RunControl, stopOnEntry?: boolean): RunResult;
  run(step: StepKind, threadId: number, ctl: RunControl): RunResult;
  /** Driver targets: the next reverse continue also looks for pauses at the driver's line breakpoints, which the session reports (noteLinePause). */
  searchDriverLines?(search: DriverLinesSearch): void;
  setSourceBreakpoints(path: string, bps: SourceBreakpointSpec[]): BreakpointResult[];
  breakpointLines(path: string, line: number, endLine?: number): number[];
  setFunctionBreakpoints(bps: FunctionBreakpointSpec[]): BreakpointResult[];
  setExceptionFilters(filters: string[]): void;
  vars(key: string): VarNode[];
  setVariable(key: string, value: string): SetVariableResult;
  evaluate(expression: string, context: string | undefined, threadId: number | undefined): EvaluateResult;
  completions(text: string, column: number): CompletionItem[];
  adapterState(): AdapterStateResponse;
  /** Driver targets: the driver's compiled script and its source map, for the inspector. */
  driverScript?(): DriverScript | undefined;
  /** Driver targets: the kernel's view while the driver is paused inside a DDI call (read through the inspector). */
  driverPause?(): DriverPause;
  /** Driver targets, stopped at a DDI's entry: the function the driver registered for it (Step In stops on its first line). */
  pendingDdiFunction?(): unknown;
  /** Driver targets: the DDI call the driver is running in (0: none). */
  currentCallId?(): number;
  /** Driver targets: the user changed the driver's own variables at a driver stop (`what`, as the user wrote it). */
  noteDriverEdit?(what: string): void;
  /** Driver targets: runs `edit` (memory written, a variable set) made while the driver is paused inside a DDI call, which no replay can make at its place (`what`: as the user would say it). */
  inDriverCall?<T>(what: string, edit: () => T): T;
  /** Driver targets: the driver paused at a line breakpoint at `at` (`stops`: not only log points there); false when no reverse search was listening. */
  noteLinePause?(at: string, stops: boolean): boolean;
  /** Driver targets: writes the session's recording (inputs, edits so far, outcome once the run ended). */
  saveRecording?(file: string): Promise<{ file: string; edits: number; finished: boolean }>;
  /** Driver targets: travels to moment `moment` of the run and stops there (reason `goto`; `restart` for Restart Frame; `step` for Step Back from a driver line). */
  goToMoment?(moment: number, as?: 'restart' | 'step'): RunResult;
  /** Driver targets: the moment DDI call `callId` was entered (0: not known). */
  callEntryMoment?(callId: number): number;
  /** Driver targets: who wrote [address, address + length) last, with the chain (and the range's history). */
  whoWrote?(address: number, length: number, history: boolean): WhoWroteResponse;
  /** Driver targets: one of the simulator's objects that driver code holds (a DDI argument structure...), as the Variables view shows it. */
  describeValue?(name: string, value: unknown, path: string): VarNode;
}

/** Exception breakpoint filters the adapter offers (ids are stable: clients persist them). */
export const EXCEPTION_FILTERS = [
  { filter: 'driverFailure', label: 'Driver failure statuses', description: 'A DDI returned a failure NTSTATUS.', default: false },
  { filter: 'verifier', label: 'Verifier violations', description: 'The driver broke a rule the verifier checks.', default: true },
  { filter: 'driverException', label: 'Driver exceptions', description: 'The driver threw (stops at the throw when its own code does not catch it).', default: true },
  { filter: 'driverCaughtException', label: 'Caught driver exceptions', description: 'The driver threw an exception that its own code catches.', default: false },
  { filter: 'gpuFault', label: 'GPU faults', description: 'The paging engine faulted on an instruction.', default: true },
  { filter: 'tdr', label: 'TDRs', description: 'A GPU engine or the driver stopped making progress (timeout detection and recovery).', default: true },
] as const;

/** A target compiled but not loaded (none of its code has run): what the debugger can have before. */
export interface CompiledTarget {
  threads?: ThreadInfo[];
  driverScript?: DriverScript;
  /** Function breakpoints checked before the target has loaded (they take effect once it has). */
  functionBreakpoints?(bps: FunctionBreakpointSpec[]): BreakpointResult[];
}
