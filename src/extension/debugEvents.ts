// Watches the wddm debug sessions' DAP traffic (a debug adapter tracker) and turns it into the
// few events the views need: stopped, running again, memory changed, session ended. The views
// subscribe here instead of each registering its own tracker.

import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const DEBUG_TYPE = 'wddm';

export interface MemoryChange {
  session: vscode.DebugSession;
  memoryReference: string;
  offset: number;
  count: number;
}

/** Requests after which the debuggee runs (the adapter need not send `continued` for these). */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

class DebugEvents {
  private readonly stopped = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly continued = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly memory = new vscode.EventEmitter<MemoryChange>();
  private readonly ended = new vscode.EventEmitter<vscode.DebugSession>();
  /** Sessions currently stopped, so a view opened mid-session knows whether it may read. */
  private readonly stoppedSessions = new Set<string>();
  /** The most recent wddm session that started or stopped. */
  session: vscode.DebugSession | undefined;

  readonly onStopped = this.stopped.event;
  readonly onContinued = this.continued.event;
  readonly onMemory = this.memory.event;
  readonly onEnded = this.ended.event;

  isStopped(session: vscode.DebugSession | undefined): boolean {
    return !!session && this.stoppedSessions.has(session.id);
  }

  /** The wddm session to read from: the active one if it is ours, else the last one seen. */
  currentSession(): vscode.DebugSession | undefined {
    const active = vscode.debug.activeDebugSession;
    return active?.type === DEBUG_TYPE ? active : this.session;
  }

  tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onWillStartSession: () => {
        this.session = session;
      },
      onWillReceiveMessage: (m: DebugProtocol.ProtocolMessage) => {
        if (m.type === 'request' && RESUMING.has((m as DebugProtocol.Request).command)) this.resumed(session);
      },
      onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => {
        if (m.type !== 'event') return;
        const e = m as DebugProtocol.Event;
        if (e.event === 'stopped') {
          this.session = session;
          this.stoppedSessions.add(session.id);
          this.stopped.fire(session);
        } else if (e.event === 'continued') {
          this.resumed(session);
        } else if (e.event === 'memory') {
          const b = (e as DebugProtocol.MemoryEvent).body;
          this.memory.fire({ session, memoryReference: b.memoryReference, offset: b.offset, count: b.count });
        }
      },
      onWillStopSession: () => this.end(session),
      onExit: () => this.end(session),
    };
  }

  private resumed(session: vscode.DebugSession): void {
    if (!this.stoppedSessions.delete(session.id)) return;
    this.continued.fire(session);
  }

  private end(session: vscode.DebugSession): void {
    this.stoppedSessions.delete(session.id);
    if (this.session?.id === session.id) this.session = undefined;
    this.ended.fire(session);
  }
}

export const debugEvents = new DebugEvents();

export function registerDebugEvents(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => debugEvents.tracker(s) }),
  );
}
