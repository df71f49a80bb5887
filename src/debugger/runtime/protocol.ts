// The messages between the DAP session (main thread) and the runtime worker that hosts the
// simulator, in the terms of the debugger's model (../model.ts). Everything is plain
// structured-clone data.

import type { DriverScript } from '../../sim/driver/sourceMap';
import type { ResolvedLaunch } from '../launch';
import type { AdapterStateResponse, WhoWroteResponse } from '../customRequests';
import type {
  BreakpointResult,
  DriverLinesSearch,
  CompletionItem,
  DataBreakpointInfo,
  DataBreakpointSpec,
  DisassembledInstruction,
  EvaluateResult,
  FunctionBreakpointSpec,
  InstructionBreakpointSpec,
  RunResult,
  SetVariableResult,
  SourceBreakpointSpec,
  StepKind,
  ThreadInfo,
  VarNode,
} from '../model';

/** Requests to the worker. Each has an id; the worker answers with the same id. */
export type WorkerCall =
  | { op: 'compile'; config: ResolvedLaunch }
  | { op: 'launch'; config: ResolvedLaunch }
  | { op: 'start'; stopOnEntry?: boolean }
  /** `driverLines`: a reverse continue looks for pauses at the driver's line breakpoints too (the session reports them through the bridge). */
  | { op: 'run'; step: StepKind; threadId: number; driverLines?: DriverLinesSearch }
  | { op: 'goToMoment'; moment: number; as?: 'restart' | 'step' }
  | { op: 'callEntryMoment'; callId: number }
  | { op: 'driverEdit'; what: string }
  | { op: 'setSourceBreakpoints'; path: string; breakpoints: SourceBreakpointSpec[] }
  | { op: 'setFunctionBreakpoints'; breakpoints: FunctionBreakpointSpec[] }
  | { op: 'setInstructionBreakpoints'; breakpoints: InstructionBreakpointSpec[] }
  | { op: 'setDataBreakpoints'; breakpoints: DataBreakpointSpec[] }
  | { op: 'dataBreakpointInfo'; name: string; dataId?: string; address?: number; bytes?: number; frameThread?: number }
  | { op: 'setExceptionFilters'; filters: string[] }
  | { op: 'vars'; key: string }
  /** `inDriverCall` (writeMemory too): made while the driver is paused at a line, inside a DDI call; what it is, as the user would say it. */
  | { op: 'setVariable'; key: string; value: string; inDriverCall?: string }
  | { op: 'readMemory'; address: number; count: number }
  | { op: 'writeMemory'; address: number; data: Uint8Array; inDriverCall?: string }
  | { op: 'disassemble'; address: number; instructionOffset: number; count: number; resolveSymbols: boolean }
  | { op: 'evaluate'; expression: string; frameThread?: number; context?: string }
  | { op: 'completions'; text: string; column: number }
  | { op: 'adapterState' }
  | { op: 'whoWrote'; address: number; length: number; history: boolean }
  | { op: 'functionNames' }
  | { op: 'breakpointLines'; path: string; line: number; endLine?: number }
  | { op: 'source'; sourceReference: number }
  | { op: 'saveRecording'; file: string };

export interface WorkerResults {
  /** Before `launch` runs any driver code: the driver's compiled script, so breakpoints bind before its first line (driver targets). */
  compile: { threads?: ThreadInfo[]; driverScript?: DriverScript };
  /** `driverScript`: the driver's compiled script and source map, for the inspector (driver targets). */
  launch: { threads: ThreadInfo[]; functionNames: string[]; driverScript?: DriverScript };
  start: RunResult;
  run: RunResult;
  goToMoment: RunResult;
  callEntryMoment: number;
  driverEdit: null;
  setSourceBreakpoints: BreakpointResult[];
  setFunctionBreakpoints: BreakpointResult[];
  setInstructionBreakpoints: BreakpointResult[];
  setDataBreakpoints: BreakpointResult[];
  dataBreakpointInfo: DataBreakpointInfo;
  setExceptionFilters: null;
  vars: VarNode[];
  setVariable: SetVariableResult;
  readMemory: { address: number; bytes: Uint8Array; unreadable: number };
  writeMemory: { written: number };
  disassemble: DisassembledInstruction[];
  evaluate: EvaluateResult;
  completions: CompletionItem[];
  adapterState: AdapterStateResponse;
  whoWrote: WhoWroteResponse;
  functionNames: string[];
  breakpointLines: number[];
  source: string;
  saveRecording: { file: string; edits: number; finished: boolean };
}

export type WorkerRequest = WorkerCall & { id: number };

/**
 * Calls the worker answers at once from the target's state, without running it: also answered
 * through the inspector while it holds the worker paused (inspectorBridge.ts), including one posted
 * just before the pause, which the paused worker would otherwise read only once it runs again.
 */
const ANSWERED_OPS = [
  'setSourceBreakpoints',
  'breakpointLines',
  'setFunctionBreakpoints',
  'setInstructionBreakpoints',
  'setDataBreakpoints',
  'dataBreakpointInfo',
  'setExceptionFilters',
  'functionNames',
  'vars',
  'setVariable',
  'readMemory',
  'writeMemory',
  'disassemble',
  'evaluate',
  'completions',
  'adapterState',
  'whoWrote',
  'source',
  'driverEdit',
] as const satisfies readonly WorkerCall['op'][];

/** A call of ANSWERED_OPS (the worker's `answer` handles each of them, checked by the compiler). */
export type AnsweredCall = Extract<WorkerCall, { op: (typeof ANSWERED_OPS)[number] }>;

const ANSWERED_AT_ONCE: ReadonlySet<WorkerCall['op']> = new Set<WorkerCall['op']>(ANSWERED_OPS);

export function isAnsweredAtOnce(call: WorkerCall): call is AnsweredCall {
  return ANSWERED_AT_ONCE.has(call.op);
}

export type WorkerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'output'; category: 'stdout' | 'stderr' | 'console' | 'important'; output: string };

/** Layout of the shared control block (Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Set to 1 by the session to ask a running target to stop (pause). */
  pause: 0,
  /**
   * Incremented by the session when it changes what the run in progress is for: the driver was
   * paused at a line of its source in the middle of that run, and the user stepped or continued
   * from there (redirectStep/Thread/Call say how, as a `run` would). Read by the worker between events.
   */
  redirect: 1,
  /** STEP_CODES index of the step the run becomes. */
  redirectStep: 2,
  redirectThread: 3,
  /** The DDI call the driver was paused in (0: none): a step that leaves it ends at its return. */
  redirectCall: 4,
  size: 5,
} as const;

/** StepKind as a number, for the control block. */
export const STEP_CODES: readonly StepKind[] = ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue'];
