// Finds the GPU engine's top stack frame (the next paging opcode) in a wddm session: the thread
// whose top frame has an instructionPointerReference, preferring one named after the GPU.

import type * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface GpuFrame {
  threadId: number;
  threadName: string;
  frame: DebugProtocol.StackFrame;
  instructionPointerReference: string;
}

export async function findGpuFrame(session: vscode.DebugSession): Promise<GpuFrame | undefined> {
  const { threads } = (await session.customRequest('threads')) as DebugProtocol.ThreadsResponse['body'];
  const ordered = [...threads].sort((a, b) => Number(!/gpu|engine/i.test(a.name)) - Number(!/gpu|engine/i.test(b.name)));
  for (const t of ordered) {
    try {
      const st = (await session.customRequest('stackTrace', { threadId: t.id, startFrame: 0, levels: 1 })) as DebugProtocol.StackTraceResponse['body'];
      const top = st.stackFrames[0];
      if (top?.instructionPointerReference) {
        return { threadId: t.id, threadName: t.name, frame: top, instructionPointerReference: top.instructionPointerReference };
      }
    } catch {
      // A running or idle thread has no stack: try the next one.
    }
  }
  return undefined;
}
