// What the debugger knows at a stop, as plain data: threads, frames, scopes, variables, breakpoint
// specifications and results, disassembled instructions. The debug targets describe the simulator
// in these terms; the runtime worker sends them to the session (runtime/protocol.ts), which turns
// them into DAP. A stop carries, in the same message, all that a client's refresh needs (threads,
// frames, scopes, the first variables), so a step costs one round trip and a refresh none.

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
  /** What a data breakpoint on this variable watches (gpu/dataBreakpoints.ts: `alloc:H` or `mem:ADDR:LEN`); absent: none can. */
  dataId?: string;
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
  /** A document the adapter makes (DAP `source` request), for code that is in no file: a paging buffer a driver wrote. */
  sourceReference?: number;
  /** Where such a document comes from, as a client shows it beside the name. */
  origin?: string;
}

export interface FrameInfo {
  name: string;
  source?: SourceRef;
  line: number;
  column: number;
  instructionPointerReference?: string;
  presentationHint?: 'normal' | 'label' | 'subtle';
  scopes: ScopeInfo[];
  /** The moment this frame began (a DDI call's entry, a scenario step, a paging buffer's first instruction): Restart Frame travels there. */
  restart?: number;
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
  | 'data breakpoint'
  | 'goto'
  | 'exception'
  | 'pause'
  | 'restart';

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

/** The `nth` pause at line breakpoints on line and column `at` (of the compiled driver) within DDI call `callId`. */
export interface DriverLinePause {
  callId: number;
  at: string;
  nth: number;
}

/**
 * Reverse continue from a driver stop inside call `callId`: of that call's pauses at line
 * breakpoints only those before the stop count: those before pause `before`, and `before` too when
 * `inclusive` (the stop is past it); none when `before` is undefined (no pause came before the stop).
 */
export interface DriverLinesWithin {
  callId: number;
  before?: { at: string; nth: number };
  inclusive: boolean;
}

/** A reverse continue's search for pauses at the driver's line breakpoints (kernel/driverLines.ts). */
export interface DriverLinesSearch {
  within?: DriverLinesWithin;
}

export type RunResult =
  /** `driverLine`: reverse continue found a pause at a driver line breakpoint; the stop is at its call's entry, where the session runs the call again to it. */
  | { kind: 'stopped'; stop: StopInfo; driverLine?: DriverLinePause }
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

/** When a data breakpoint stops: on a write to what it watches, a read of it, or either (DAP's DataBreakpointAccessType). */
export type DataAccessType = 'read' | 'write' | 'readWrite';

/** A data breakpoint as the session passes it on: what it watches (a `dataId` from dataBreakpointInfo) and when it stops. */
export interface DataBreakpointSpec {
  id: number;
  dataId: string;
  accessType?: DataAccessType;
  condition?: string;
  hitCondition?: string;
}

/** The answer to dataBreakpointInfo: a dataId to watch, or none with the reason in `description`. */
export interface DataBreakpointInfo {
  dataId: string | null;
  description: string;
  accessTypes?: DataAccessType[];
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

export type StepKind = 'continue' | 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'reverseContinue';

/** What setVariable answers. */
export interface SetVariableResult {
  value: string;
  memoryChanged?: boolean;
}

/** What evaluate answers; `node` is a structured result that expands like a variable. */
export interface EvaluateResult {
  result: string;
  type?: string;
  node?: VarNode;
  memoryReference?: string;
  memoryChanged?: boolean;
  /** Evaluated in a driver frame with side effects (an assignment, a call that writes): a change inside the DDI call. */
  changedDriver?: boolean;
}

export interface CompletionItem {
  label: string;
  type?: string;
  start?: number;
  length?: number;
}

/** The thread of the kernel and the driver's DDI calls (driver targets). */
export const KERNEL_THREAD_ID = 1;
/** GPU engine N is thread GPU_THREAD_BASE + N. */
export const GPU_THREAD_BASE = 100;
