// Completes a `wddm` launch configuration from what the workspace holds, the user's settings and
// the bundled samples: F5 with no launch.json debugs the driver and scenario found in the
// workspace (or the driver open in the editor), and F5 on a .pgasm file runs it. No `vscode` here, so the rules are unit-tested.

import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import type { LaunchDefaults } from './settings';

export interface LaunchContext {
  trusted: boolean;
  /** The active editor's file, if any; `isDriver` when it is TypeScript that exports DriverEntry. */
  activeFile?: { path: string; languageId: string; isDriver?: boolean };
  /** Absolute paths of `driver.ts` / `*.driver.ts` files in the workspace. */
  workspaceDrivers: readonly string[];
  /** Absolute paths of `scenario.json` / `*.scenario.json` files in the workspace. */
  workspaceScenarios: readonly string[];
  settings: LaunchDefaults;
  /** The extension's own reference driver and default scenario, when present. */
  bundled: { driver?: string; scenario?: string };
  /** The folder relative setting paths are resolved against. */
  workspaceFolder?: string;
}

export type LaunchConfig = Record<string, unknown> & { type?: string; request?: string; name?: string };

export type Completion = { ok: true; config: LaunchConfig } | { ok: false; error: string };

export const UNTRUSTED_MESSAGE =
  'Paging Lab did not start: debugging runs the driver\'s TypeScript code on your machine, and this workspace is not trusted. ' +
  'Trust the workspace (command "Workspaces: Manage Workspace Trust") to debug it; editing and the .pgasm language features stay available.';

/** driver.ts before x.driver.ts, shallower before deeper, then by path: a stable, obvious choice. */
export function pickFile(paths: readonly string[], plainName: string): string | undefined {
  const depth = (p: string) => p.split(sep).length;
  return [...paths].sort((a, b) => {
    const pa = basename(a) === plainName ? 0 : 1;
    const pb = basename(b) === plainName ? 0 : 1;
    return pa - pb || depth(a) - depth(b) || a.localeCompare(b);
  })[0];
}

function fromSetting(value: string, folder: string | undefined): string | undefined {
  if (!value.trim()) return undefined;
  return isAbsolute(value) || !folder ? value : resolve(folder, value);
}

export function completeLaunchConfig(input: LaunchConfig, ctx: LaunchContext): Completion {
  if (!ctx.trusted) return { ok: false, error: UNTRUSTED_MESSAGE };
  let config: LaunchConfig = { ...input };

  // F5 with no launch.json: VS Code passes an empty configuration.
  if (!config.type && !config.request && !config.name) {
    if (ctx.activeFile?.languageId === 'pgasm' || ctx.activeFile?.path.endsWith('.pgasm')) {
      return {
        ok: true,
        config: {
          type: 'wddm',
          request: 'launch',
          name: `Run ${basename(ctx.activeFile.path)}`,
          program: ctx.activeFile.path,
          cwd: dirname(ctx.activeFile.path),
          stopOnEntry: true,
        },
      };
    }
    config = { type: 'wddm', request: 'launch', name: 'Debug driver (Paging Lab)' };
  }
  if (config.type !== 'wddm') return { ok: true, config };
  if (config.request !== 'launch') {
    return { ok: false, error: `Paging Lab sessions are launched, not attached: set "request": "launch" (got ${JSON.stringify(config.request)}).` };
  }

  // A recording names its driver, scenario, seed and settings: nothing is filled in beside it.
  if (config.replay !== undefined) {
    if (config.cwd === undefined && ctx.workspaceFolder) config.cwd = ctx.workspaceFolder;
    return { ok: true, config };
  }
  if (config.program === undefined) {
    if (config.driver === undefined) {
      // F5 with a driver open in the editor debugs that driver, as F5 on a .pgasm file runs it.
      const active = !input.type && ctx.activeFile?.isDriver ? ctx.activeFile.path : undefined;
      const driver = active ?? pickFile(ctx.workspaceDrivers, 'driver.ts') ?? fromSetting(ctx.settings.defaultDriver, ctx.workspaceFolder) ?? ctx.bundled.driver;
      if (driver) config.driver = driver;
    }
    if (config.scenario === undefined) {
      const scenario =
        pickFile(ctx.workspaceScenarios, 'scenario.json') ?? fromSetting(ctx.settings.defaultScenario, ctx.workspaceFolder) ?? ctx.bundled.scenario;
      if (scenario) config.scenario = scenario;
    }
  }
  if (config.seed === undefined) config.seed = ctx.settings.seed;
  if (config.tdrDelayMs === undefined && ctx.settings.tdrDelayMs !== undefined) config.tdrDelayMs = ctx.settings.tdrDelayMs;
  if (config.verifier === undefined) config.verifier = ctx.settings.verifier;
  if (config.cwd === undefined && ctx.workspaceFolder) config.cwd = ctx.workspaceFolder;
  return { ok: true, config };
}

/** After variable substitution: the files named must exist, or the user is told which and where. */
export function checkFiles(config: LaunchConfig, exists: (p: string) => boolean): string | undefined {
  for (const key of ['program', 'driver', 'scenario'] as const) {
    const v = config[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !v.trim()) return `The launch attribute '${key}' must be a file path, got ${JSON.stringify(v)}.`;
    const cwd = typeof config.cwd === 'string' ? config.cwd : undefined;
    const p = isAbsolute(v) || !cwd ? v : resolve(cwd, v);
    if (!exists(p)) return `The ${key} file ${p} does not exist: fix '${key}' in launch.json or the pagingLab.default${key === 'driver' ? 'Driver' : 'Scenario'} setting.`;
  }
  return undefined;
}
