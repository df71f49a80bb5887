// The messages between the DAP session (main thread) and the runtime worker that hosts the
// simulator. Everything is plain structured-clone data. A stop carries, in the same message, all
// that a client's refresh needs (threads, frames, scopes, the first variables), so a step costs one
// round trip and a refresh none.

import type { ResolvedLaunch } from '../launch';
import type { AdapterStateResponse } from '../customRequests';

/** A variable as the runtime describes it; the session turns `children`/`lazy` into references. */
export interface VarNode {
  name: string;
  value: string;
  type?: string;
  memoryReference?: string;
  evaluateName?: string;
  /** Children known now (small structures). */
  children?: VarNode[];
  /** Key to fetch the children on demand (large collections). */
  lazy?: string;
  /** Number of children, for the client's paging hint. */
  count?: number;
  /** Key that setVariable passes back; absent: read-only. */
  settable?: string;
  readOnly?: boolean;
}

export interface ScopeInfo {
  name: string;
  presentationHint?: 'arguments' | 'locals' | 'registers' | string;
  expensive: boolean;
  vars?: VarNode[];
  lazy?: string;
}

export interface SourceRef {
  name: string;
  path?: string;
}

export interface FrameInfo {
  name: string;
  source?: SourceRef;
  line: number;
  column: number;
  instructionPointerReference?: string;
  presentationHint?: 'normal' | 'label' | 'subtle';
  scopes: ScopeInfo[];
}

export interface ThreadInfo {
  id: number;
  name: string;
}

export interface Snapshot {
  threads: ThreadInfo[];
  /** Frames by thread id (innermost first). */
  frames: Record<number, FrameInfo[]>;
}

export interface ExceptionDetails {
  exceptionId: string;
  description: string;
  breakMode: 'always' | 'unhandled' | 'userUnhandled' | 'never';
  details?: { message?: string; typeName?: string; stackTrace?: string };
}

export type StopReason =
  | 'entry'
  | 'step'
  | 'breakpoint'
  | 'function breakpoint'
  | 'instruction breakpoint'
  | 'exception'
  | 'pause';

export interface StopInfo {
  reason: StopReason;
  threadId: number;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
  exception?: ExceptionDetails;
  snapshot: Snapshot;
  /** Memory changed since the last stop (send a memory event if the client wants one). */
  memoryChanged?: { memoryReference: string; offset: number; count: number }[];
}

export type RunResult =
  | { kind: 'stopped'; stop: StopInfo }
  | { kind: 'terminated'; message?: string; exitCode: number; category?: 'stdout' | 'stderr' | 'console' | 'important' };

export interface SourceBreakpointSpec {
  id: number;
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface FunctionBreakpointSpec {
  id: number;
  name: string;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface InstructionBreakpointSpec {
  id: number;
  address: number;
  condition?: string;
  hitCondition?: string;
}

export interface BreakpointResult {
  id: number;
  verified: boolean;
  message?: string;
  line?: number;
  source?: SourceRef;
  instructionReference?: string;
}

export interface DisassembledInstruction {
  address: string;
  instructionBytes?: string;
  instruction: string;
  symbol?: string;
  location?: SourceRef;
  line?: number;
  presentationHint?: 'normal' | 'invalid';
}

export type StepKind = 'continue' | 'next' | 'stepIn' | 'stepOut';

/** Requests to the worker. Each has an id; the worker answers with the same id. */
export type WorkerCall =
  | { op: 'launch'; config: ResolvedLaunch }
  | { op: 'start' }
  | { op: 'run'; step: StepKind; threadId: number }
  | { op: 'setSourceBreakpoints'; path: string; breakpoints: SourceBreakpointSpec[] }
  | { op: 'setFunctionBreakpoints'; breakpoints: FunctionBreakpointSpec[] }
  | { op: 'setInstructionBreakpoints'; breakpoints: InstructionBreakpointSpec[] }
  | { op: 'setExceptionFilters'; filters: string[] }
  | { op: 'vars'; key: string }
  | { op: 'setVariable'; key: string; value: string }
  | { op: 'readMemory'; address: number; count: number }
  | { op: 'writeMemory'; address: number; data: Uint8Array }
  | { op: 'disassemble'; address: number; instructionOffset: number; count: number; resolveSymbols: boolean }
  | { op: 'evaluate'; expression: string; frameThread?: number; context?: string }
  | { op: 'completions'; text: string; column: number }
  | { op: 'adapterState' }
  | { op: 'functionNames' }
  | { op: 'breakpointLines'; path: string; line: number; endLine?: number };

export interface WorkerResults {
  launch: { threads: ThreadInfo[]; functionNames: string[] };
  start: RunResult;
  run: RunResult;
  setSourceBreakpoints: BreakpointResult[];
  setFunctionBreakpoints: BreakpointResult[];
  setInstructionBreakpoints: BreakpointResult[];
  setExceptionFilters: null;
  vars: VarNode[];
  setVariable: { value: string; memoryChanged?: boolean };
  readMemory: { address: number; bytes: Uint8Array; unreadable: number };
  writeMemory: { written: number };
  disassemble: DisassembledInstruction[];
  evaluate: { result: string; type?: string; node?: VarNode; memoryReference?: string; memoryChanged?: boolean };
  completions: { label: string; type?: string; start?: number; length?: number }[];
  adapterState: AdapterStateResponse;
  functionNames: string[];
  breakpointLines: number[];
}

export type WorkerRequest = WorkerCall & { id: number };

export type WorkerMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { event: 'output'; category: 'stdout' | 'stderr' | 'console' | 'important'; output: string };

/** Layout of the shared control block (Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Set to 1 by the session to ask a running target to stop (pause). */
  pause: 0,
  size: 1,
} as const;
