// A stop as the client addresses it: frame ids, each thread's DAP stack frames, each frame's scopes
// and the variables references under them. Made from the stop the target sent, once, and kept until
// the target resumes, so a client's refresh after a step is answered from memory.

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FrameInfo, StopInfo, VarNode } from './model';
import { E_ARGS, RequestError } from './requestArgs';

/** What a variables reference stands for: variables already known, or a key to read them with, and their DAP form once made. */
export interface VariablesEntry {
  nodes?: VarNode[];
  lazy?: string;
  dap?: DebugProtocol.Variable[];
}

/** Frame ids: the thread and the frame's index in it (1024 frames a thread at most). */
const FRAMES_PER_THREAD = 1024;

/** The thread of frame id `frameId`. */
export function threadOfFrame(frameId: number): number {
  return Math.floor((frameId - 1) / FRAMES_PER_THREAD);
}

/** The index of frame id `frameId` in its thread's stack (0: the innermost). */
export function indexOfFrame(frameId: number): number {
  return (frameId - 1) % FRAMES_PER_THREAD;
}

export class StopReferences {
  private readonly refs = new Map<number, VariablesEntry>();
  /** Never reset: a reference from an earlier stop is refused rather than read as another variable. */
  private nextRef = 1;
  private readonly stacks = new Map<number, DebugProtocol.StackFrame[]>();
  private readonly scopesByFrame = new Map<number, DebugProtocol.Scope[]>();

  /** The target resumed: every reference made for the stop is dropped. */
  clear(): void {
    this.refs.clear();
    this.stacks.clear();
    this.scopesByFrame.clear();
  }

  /** Thread `threadId`'s frames at `stop`; `line` turns a line into the client's numbering. */
  stackFrames(stop: StopInfo, threadId: number, line: (n: number) => number): DebugProtocol.StackFrame[] {
    let frames = this.stacks.get(threadId);
    if (!frames) {
      frames = (stop.snapshot.frames[threadId] ?? []).map((f, i) => {
        const sf: DebugProtocol.StackFrame = { id: threadId * FRAMES_PER_THREAD + i + 1, name: f.name, line: f.source ? line(f.line) : 0, column: f.source ? f.column : 0 };
        if (f.source) sf.source = { ...f.source };
        if (f.instructionPointerReference) sf.instructionPointerReference = f.instructionPointerReference;
        if (f.presentationHint) sf.presentationHint = f.presentationHint;
        // With supportsRestartFrame a frame is restartable unless it says otherwise.
        sf.canRestart = f.restart !== undefined;
        return sf;
      });
      this.stacks.set(threadId, frames);
    }
    return frames;
  }

  /** The frame with id `frameId` at `stop`. */
  frameOf(stop: StopInfo, frameId: number): FrameInfo {
    const f = stop.snapshot.frames[threadOfFrame(frameId)]?.[indexOfFrame(frameId)];
    if (!f) throw new RequestError(E_ARGS, `there is no frame ${frameId} at this stop`);
    return f;
  }

  /** The scopes of frame `frameId` at `stop`, each with its variables reference. */
  scopes(stop: StopInfo, frameId: number): DebugProtocol.Scope[] {
    let scopes = this.scopesByFrame.get(frameId);
    if (!scopes) {
      scopes = this.frameOf(stop, frameId).scopes.map((s) => {
        const sc: DebugProtocol.Scope = { name: s.name, variablesReference: this.reference({ nodes: s.vars, lazy: s.lazy }), expensive: s.expensive };
        if (s.presentationHint) sc.presentationHint = s.presentationHint;
        if (s.vars) sc.namedVariables = s.vars.length;
        return sc;
      });
      this.scopesByFrame.set(frameId, scopes);
    }
    return scopes;
  }

  /** What variables reference `ref` stands for at this stop. */
  entry(ref: number): VariablesEntry {
    const entry = this.refs.get(ref);
    if (!entry) throw new RequestError(E_ARGS, `variablesReference ${ref} is not valid at this stop`);
    return entry;
  }

  /** An entry's variables in DAP form (made once), each with a reference of its own when it has children; `withType` when the client shows types. */
  variables(entry: VariablesEntry, withType: boolean): DebugProtocol.Variable[] {
    entry.dap ??= (entry.nodes ?? []).map((n) => this.toDap(n, withType));
    return entry.dap;
  }

  /** A new variables reference for `entry`, valid until the target resumes. */
  reference(entry: VariablesEntry): number {
    const ref = this.nextRef++;
    this.refs.set(ref, entry);
    return ref;
  }

  private toDap(n: VarNode, withType: boolean): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: n.name,
      value: n.value,
      variablesReference: n.children?.length || n.lazy ? this.reference({ nodes: n.children, lazy: n.lazy }) : 0,
    };
    if (n.type && withType) v.type = n.type;
    if (n.memoryReference) v.memoryReference = n.memoryReference;
    if (n.evaluateName) v.evaluateName = n.evaluateName;
    if (n.count !== undefined) v.indexedVariables = n.count;
    if (!n.settable || n.readOnly) v.presentationHint = { attributes: ['readOnly'] };
    return v;
  }
}
