// The launch configurations Paging Lab offers without a launch.json ("More Paging Lab options...",
// "Select and Start Debugging"): the .pgasm file and the driver open in the editor first, then the
// drivers the workspace holds, each file once. No `vscode` here, so the rules are unit-tested.

import { basename } from 'node:path';

export interface OpenFile {
  path: string;
  languageId: string;
  /** The document's text (only read for TypeScript files). */
  text(): string;
}

export interface DynamicConfiguration {
  type: 'wddm';
  request: 'launch';
  name: string;
  program?: string;
  driver?: string;
}

/** Whether a TypeScript module exports DriverEntry (what the driver loader looks for). */
export function exportsDriverEntry(text: string): boolean {
  return (
    /\bexport\s+(?:async\s+)?function\s*\*?\s*DriverEntry\b/.test(text) ||
    /\bexport\s+(?:const|let|var)\s+DriverEntry\b/.test(text) ||
    /\bexport\s*\{[^}]*\bDriverEntry\b[^}]*\}/.test(text)
  );
}

export function isPgasm(f: Pick<OpenFile, 'path' | 'languageId'>): boolean {
  return f.languageId === 'pgasm' || f.path.endsWith('.pgasm');
}

export function isDriverSource(f: OpenFile): boolean {
  return (f.languageId === 'typescript' || f.path.endsWith('.ts')) && !f.path.endsWith('.d.ts') && exportsDriverEntry(f.text());
}

/**
 * `openFiles` in the order to offer them (the active editor first); `relative` names a path as the
 * user sees it in the workspace.
 */
export function dynamicConfigurations(
  openFiles: readonly OpenFile[],
  workspaceDrivers: readonly string[],
  relative: (path: string) => string,
  limit = 10,
): DynamicConfiguration[] {
  const out: DynamicConfiguration[] = [];
  const seen = new Set<string>();
  const add = (path: string, c: DynamicConfiguration) => {
    if (seen.has(path) || out.length >= limit) return;
    seen.add(path);
    out.push(c);
  };
  for (const f of openFiles) {
    if (isPgasm(f)) add(f.path, { type: 'wddm', request: 'launch', name: `Run ${basename(f.path)}`, program: f.path });
  }
  for (const f of openFiles) {
    if (!isPgasm(f) && isDriverSource(f)) add(f.path, { type: 'wddm', request: 'launch', name: `Debug ${relative(f.path)}`, driver: f.path });
  }
  for (const d of workspaceDrivers) add(d, { type: 'wddm', request: 'launch', name: `Debug ${relative(d)}`, driver: d });
  return out;
}
