// "Paging Lab: Save Recording...": writes the debug session's recording (the driver's sources by
// hash, the scenario, the seed and settings, the edits made while debugging, and the run's digest
// once it has ended) to a file the user picks, to share or to open again with `"replay"` in a
// `wddm` launch configuration. The adapter writes it (pagingLab.saveRecording).

import * as vscode from 'vscode';
import { SAVE_RECORDING_REQUEST, type SaveRecordingArguments, type SaveRecordingResponse } from '../debugger/customRequests';
import { debugEvents } from './debugEvents';

export const CMD_SAVE_RECORDING = 'pagingLab.saveRecording';

export function registerSaveRecordingCommand(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CMD_SAVE_RECORDING, async (target?: unknown) => {
      const session = debugEvents.currentSession();
      if (!session) return void vscode.window.showErrorMessage('Save Recording needs a Paging Lab debug session of a driver: start one with F5.');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      // A file given by the caller (a test, a keybinding's args) skips the dialog.
      const uri =
        target instanceof vscode.Uri
          ? target
          : await vscode.window.showSaveDialog({
              title: 'Save Recording',
              saveLabel: 'Save Recording',
              filters: { 'Paging Lab recording': ['json'] },
              ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'recording.json') } : {}),
            });
      if (!uri) return;
      try {
        const args: SaveRecordingArguments = { file: uri.fsPath };
        const r = (await session.customRequest(SAVE_RECORDING_REQUEST, args)) as SaveRecordingResponse;
        const replay = `"replay": "${vscode.workspace.asRelativePath(uri, false)}"`;
        void vscode.window.showInformationMessage(
          `Recording saved to ${vscode.workspace.asRelativePath(uri, false)} (${r.edits} edit${r.edits === 1 ? '' : 's'}${r.finished ? '' : ', the run has not ended'}). Open it again with ${replay} in a wddm launch configuration.`,
        );
      } catch (e) {
        void vscode.window.showErrorMessage(`Could not save the recording: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
