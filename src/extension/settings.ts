// The extension's settings (contributes.configuration, section `pagingLab`), read in one place. The
// launch-related ones, their defaults and their contributions come from the table of launch
// attributes (src/debugger/launchAttributes.ts); a renamed setting is still read while its new
// name is unset, so a user's settings.json keeps working.

import * as vscode from 'vscode';
import { knob } from '../debugger/launchAttributes';

export const SECTION = 'pagingLab';

export interface LaunchDefaults {
  defaultDriver: string;
  defaultScenario: string;
  seed: number;
  /** Only when the user set it: unset, the scenario's `tdrDelayMs` applies, else the default. */
  tdrDelayMs?: number;
  verifier: boolean;
}

/** Whether the user (or the workspace) set `key`, as opposed to the contributed default applying. */
function isSet(c: vscode.WorkspaceConfiguration, key: string): boolean {
  const i = c.inspect(key);
  return i?.workspaceFolderValue !== undefined || i?.workspaceValue !== undefined || i?.globalValue !== undefined;
}

export function launchDefaults(scope?: vscode.ConfigurationScope): LaunchDefaults {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const setting = <T>(attribute: Parameters<typeof knob>[0]): T => knob(attribute).setting!.default as T;
  return {
    defaultDriver: c.get<string>('defaultDriver', setting('driver')),
    defaultScenario: c.get<string>('defaultScenario', setting('scenario')),
    seed: c.get<number>('seed', setting('seed')),
    // `tdrDelay` is the setting's former name.
    tdrDelayMs: isSet(c, 'tdrDelayMs') ? c.get<number>('tdrDelayMs') : isSet(c, 'tdrDelay') ? c.get<number>('tdrDelay') : undefined,
    verifier: c.get<boolean>('verifier', setting('verifier')),
  };
}

export function bytesPerRowSetting(): number {
  const n = vscode.workspace.getConfiguration(SECTION).get<number>('vramView.bytesPerRow', 16);
  return [8, 16, 32].includes(n) ? n : 16;
}
