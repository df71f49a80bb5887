// The adapter's state (segments, allocations, fences, paging queue) as of the last stop, fetched
// once per stop with the custom `pagingLab.adapterState` request and shared by every view.

import * as vscode from 'vscode';
import { ADAPTER_STATE_REQUEST, type AdapterStateResponse } from '../debugger/customRequests';
import { debugEvents } from './debugEvents';

class AdapterStateStore {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after each stop once the state is fetched (or failed), and when the session ends. */
  readonly onDidChange = this.changed.event;
  state: AdapterStateResponse | undefined;
  /** Why there is no state, for the views to show instead of an empty list. */
  error: string | undefined;
  private generation = 0;

  async refresh(session: vscode.DebugSession): Promise<void> {
    const mine = ++this.generation;
    try {
      const state = (await session.customRequest(ADAPTER_STATE_REQUEST)) as AdapterStateResponse;
      if (mine !== this.generation) return;
      this.state = state;
      this.error = undefined;
    } catch (e) {
      if (mine !== this.generation) return;
      this.state = undefined;
      this.error = `The debug adapter did not return its state: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.changed.fire();
  }

  clear(): void {
    this.generation++;
    this.state = undefined;
    this.error = undefined;
    this.changed.fire();
  }
}

export const adapterState = new AdapterStateStore();

export function registerAdapterState(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    debugEvents.onStopped((s) => void adapterState.refresh(s)),
    debugEvents.onEnded(() => adapterState.clear()),
  );
}
