// The extension's settings (contributes.configuration, section `pagingLab`), read in one place.

import * as vscode from 'vscode';

export const SECTION = 'pagingLab';

export interface LaunchDefaults {
  defaultDriver: string;
  defaultScenario: string;
  seed: number;
  tdrDelay: number;
  verifier: boolean;
}

export function launchDefaults(scope?: vscode.ConfigurationScope): LaunchDefaults {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    defaultDriver: c.get<string>('defaultDriver', ''),
    defaultScenario: c.get<string>('defaultScenario', ''),
    seed: c.get<number>('seed', 1),
    tdrDelay: c.get<number>('tdrDelay', 2000),
    verifier: c.get<boolean>('verifier', true),
  };
}

export function bytesPerRowSetting(): number {
  const n = vscode.workspace.getConfiguration(SECTION).get<number>('vramView.bytesPerRow', 16);
  return [8, 16, 32].includes(n) ? n : 16;
}
