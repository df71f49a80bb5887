// Extension entry point: activation only wires the pieces together. Each concern registers itself
// from its own file, and everything that does not need `vscode` lives in the layers below.

import * as vscode from 'vscode';
import { registerOpcodeReference } from './opcodeReference';
import { registerLanguageClient } from './languageClient';
import { registerDebugAdapter } from './debugAdapter';
import { registerDebugConfiguration } from './debugConfiguration';
import { registerDebugEvents } from './debugEvents';
import { registerAdapterState } from './adapterState';
import { registerAdapterViews } from './adapterViews';
import { registerOccupancyView } from './occupancyView';
import { registerVramCommands } from './vramCommands';
import { registerVramView } from './vramPanel';
import { registerPagingBufferCommand } from './pagingBufferCommand';
import { registerSaveRecordingCommand } from './saveRecordingCommand';
import { registerProjectCommands } from './projectCommands';

export function activate(context: vscode.ExtensionContext): void {
  registerOpcodeReference(context);
  registerLanguageClient(context);
  registerDebugAdapter(context);
  registerDebugConfiguration(context);
  registerDebugEvents(context);
  registerAdapterState(context);
  registerAdapterViews(context);
  registerOccupancyView(context);
  registerVramCommands(context);
  registerVramView(context);
  registerPagingBufferCommand(context);
  registerSaveRecordingCommand(context);
  registerProjectCommands(context);
}

export function deactivate(): void {
  // Nothing to tear down beyond the disposables in context.subscriptions.
}
