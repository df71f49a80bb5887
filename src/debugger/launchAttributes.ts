// The one table of what a `wddm` session can be told: each launch.json attribute, the `pagingLab.*`
// setting that stands in for it when launch.json says nothing, and the `paging-lab run` flag that
// sets the same knob. Everything else is derived from it: the manifest's
// `contributes.debuggers[].configurationAttributes` and `contributes.configuration` settings
// (scripts/gen-manifest.ts writes them into package.json; a test fails when they are stale), the
// JSON schema the debug adapter validates `launch` with (launch.ts), the defaults the extension
// reads settings with (src/extension/settings.ts) and the command line's ranges.
//
// One name per knob: the attribute, the setting and the flag spell the same word (`tdrDelayMs`,
// `pagingLab.tdrDelayMs`, `--tdr-delay-ms`). A name that was renamed stays listed in `formerly`,
// so a launch.json or settings.json that still uses it is told what to rename instead of being
// silently ignored. Plain data and no `vscode`: the debugger, the extension and the CLI all import it.

import { DEFAULT_TDR_DELAY_MS } from '../host/watchdog';

/** The JSON schema of one value (the subset the table uses; VS Code's launch.json and settings editors read it). */
export interface ValueSchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  minimum?: number;
  maximum?: number;
  minLength?: number;
  enum?: readonly (string | number)[];
}

export interface SettingSpec {
  /** The key under `pagingLab.`. */
  key: string;
  /** Settings editor text (Markdown). */
  markdownDescription: string;
  /** What the setting holds when the user sets nothing (may differ from the attribute's: '' for "none"). */
  default: string | number | boolean;
  /** Run driver code or name files to run: VS Code ignores a workspace's value until it is trusted. */
  restricted?: boolean;
  /** Keys this setting had before (read as a fallback, contributed as deprecated). */
  formerly?: readonly string[];
}

export interface LaunchKnob {
  /** The launch.json attribute. */
  attribute: string;
  schema: ValueSchema;
  /** launch.json IntelliSense text. */
  description: string;
  /** What a valid value is: finishes "'attribute': must be ..." in a launch error. */
  expects: string;
  /** The value the session uses when neither launch.json nor a setting gives one (absent: none). */
  default?: string | number | boolean;
  /** What launch.json IntelliSense offers when the attribute is added, when that is not `default`. */
  suggest?: string;
  /** The setting that supplies the attribute when launch.json has none. */
  setting?: SettingSpec;
  /** The `paging-lab run` option for the same knob (without the leading dashes). */
  flag?: string;
  /** Attribute names this knob had before: a launch.json using one is told to rename it. */
  formerly?: readonly string[];
}

const U32_MAX = 0xffffffff;

export const TDR_DELAY_MS_RANGE = { minimum: 50, maximum: 600_000 } as const;
export const SEED_RANGE = { minimum: 0, maximum: U32_MAX } as const;

export const LAUNCH_KNOBS = [
  {
    attribute: 'driver',
    schema: { type: 'string', minLength: 1 },
    description: 'The driver module (.ts) to run against the simulated adapter. Defaults to the bundled reference driver.',
    expects: 'a path to a .ts, .js, .mts or .mjs file',
    flag: 'driver',
    setting: {
      key: 'defaultDriver',
      default: '',
      restricted: true,
      markdownDescription:
        'Driver module (`.ts`) that F5 and **Run Scenario Headless** use when the workspace has no `driver.ts`/`*.driver.ts` and the launch configuration names none. Relative to the workspace folder. Empty: the bundled reference driver.',
    },
  },
  {
    attribute: 'scenario',
    schema: { type: 'string', minLength: 1 },
    description: 'The scenario file (.json): adapter profile and workload. Defaults to the bundled default scenario.',
    expects: 'a path to a .json file',
    flag: 'scenario',
    setting: {
      key: 'defaultScenario',
      default: '',
      restricted: true,
      markdownDescription:
        'Scenario (`.json`) used when the workspace has no `scenario.json`/`*.scenario.json` and the launch configuration names none. Relative to the workspace folder. Empty: the bundled default scenario.',
    },
  },
  {
    attribute: 'program',
    schema: { type: 'string', minLength: 1 },
    description: 'A .pgasm program to run directly on the simulated GPU paging engine.',
    expects: 'a path to a .pgasm file',
  },
  {
    attribute: 'seed',
    schema: { type: 'integer', ...SEED_RANGE },
    description: 'Seed of the random source, for a reproducible run.',
    expects: `an integer from ${SEED_RANGE.minimum} to ${SEED_RANGE.maximum}`,
    default: 1,
    flag: 'seed',
    setting: {
      key: 'seed',
      default: 1,
      markdownDescription: "Seed of the simulator's random source when a launch configuration sets none: the same seed reproduces the same run.",
    },
  },
  {
    attribute: 'stopOnEntry',
    schema: { type: 'boolean' },
    description: 'Stop before the first DDI call or instruction.',
    expects: 'true or false',
    default: false,
  },
  {
    attribute: 'tdrDelayMs',
    schema: { type: 'number', ...TDR_DELAY_MS_RANGE },
    description:
      `Wall-clock milliseconds the driver may run without progress before the session declares a hang (timeout detection and recovery, exception TDR). The session then pauses the driver on the line it loops on: Continue lets it run (the TDR fires again after another tdrDelayMs), Stop ends the session. With the TDRs exception filter off, or a hang outside the driver's code, the run ends instead. Default: the pagingLab.tdrDelayMs setting when set, else the scenario's tdrDelayMs, else ${DEFAULT_TDR_DELAY_MS}.`,
    expects: `a number of milliseconds from ${TDR_DELAY_MS_RANGE.minimum} to ${TDR_DELAY_MS_RANGE.maximum}`,
    default: DEFAULT_TDR_DELAY_MS,
    flag: 'tdr-delay-ms',
    formerly: ['tdrDelay'],
    setting: {
      key: 'tdrDelayMs',
      default: DEFAULT_TDR_DELAY_MS,
      formerly: ['tdrDelay'],
      markdownDescription:
        `Milliseconds a driver call or GPU run may go without progress before it is declared hung (a TDR), when the launch configuration sets no \`tdrDelayMs\`. Unset: the scenario's \`tdrDelayMs\`, else ${DEFAULT_TDR_DELAY_MS}.`,
    },
  },
  {
    attribute: 'verifier',
    schema: { type: 'boolean' },
    description:
      'Run the built-in verifier (on by default): the session stops with a named rule and its WDK reference when the driver breaks a rule, e.g. writes past DmaSize, returns a status its DDI may not return, or loses data on eviction. See docs/verifier.md.',
    expects: 'true (check the driver against the DDI rules) or false',
    default: true,
    flag: 'no-verifier',
    setting: {
      key: 'verifier',
      default: true,
      markdownDescription:
        'Check the driver against the DDI rules (writes past `DmaSize`, `pDmaBuffer` not advanced, lost data on eviction, ...) and stop with a message on a violation, when a launch configuration sets no `verifier`.',
    },
  },
  {
    attribute: 'replay',
    schema: { type: 'string', minLength: 1 },
    description:
      'A recording (.json) to run again exactly: what `paging-lab run --record`, `paging-lab test` (for each failing pair) or "Paging Lab: Save Recording..." wrote. It names the driver, scenario, seed, TDR delay and verifier setting, and the memory edits made while debugging, so leave those attributes out. Refused, saying what differs, when a driver source or the scenario changed since, or another version of Paging Lab wrote it.',
    expects: 'a path to a recording (.json)',
    flag: 'replay',
  },
  {
    attribute: 'cwd',
    schema: { type: 'string', minLength: 1 },
    description: 'Folder that relative driver, scenario and program paths start from.',
    expects: 'an existing folder',
    suggest: '${workspaceFolder}',
  },
] as const satisfies readonly LaunchKnob[];

export type LaunchAttribute = (typeof LAUNCH_KNOBS)[number]['attribute'];

/** The knob of a launch attribute. */
export function knob(attribute: LaunchAttribute): LaunchKnob {
  return LAUNCH_KNOBS.find((k) => k.attribute === attribute)!;
}

/** Attribute names no longer used, each with the name that replaced it. */
export const RENAMED_ATTRIBUTES: ReadonlyMap<string, LaunchAttribute> = new Map(
  LAUNCH_KNOBS.flatMap((k: LaunchKnob) => (k.formerly ?? []).map((old) => [old, k.attribute as LaunchAttribute] as const)),
);

/** The JSON schema of a launch request's arguments. VS Code's own attributes (name, preLaunchTask...) pass. */
export function launchArgumentsSchema(): { type: 'object'; properties: Record<string, ValueSchema> } {
  return { type: 'object', properties: Object.fromEntries(LAUNCH_KNOBS.map((k) => [k.attribute, { ...k.schema }])) };
}

// ---- the manifest: generated from the table (scripts/gen-manifest.ts) ----

const SETTINGS_SECTION = 'pagingLab';

/** `contributes.debuggers[].configurationAttributes` of the `wddm` debugger. */
export function configurationAttributes(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const k of LAUNCH_KNOBS as readonly LaunchKnob[]) {
    properties[k.attribute] = {
      ...k.schema,
      description: k.description,
      ...((k.suggest ?? k.default) !== undefined ? { default: k.suggest ?? k.default } : {}),
    };
    for (const old of k.formerly ?? []) {
      properties[old] = { deprecationMessage: `Renamed: use "${k.attribute}".` };
    }
  }
  return { launch: { properties } };
}

/** The `contributes.configuration.properties` entries this table owns, in table order. */
export function settingContributions(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of LAUNCH_KNOBS as readonly LaunchKnob[]) {
    const s = k.setting;
    if (!s) continue;
    const { minLength: _minLength, ...schema } = k.schema as ValueSchema;
    out[`${SETTINGS_SECTION}.${s.key}`] = { ...schema, default: s.default, scope: 'resource', markdownDescription: s.markdownDescription };
    for (const old of s.formerly ?? []) {
      out[`${SETTINGS_SECTION}.${old}`] = {
        ...schema,
        scope: 'resource',
        markdownDeprecationMessage: `Renamed: use \`#${SETTINGS_SECTION}.${s.key}#\` (read from here only while that is not set).`,
      };
    }
  }
  return out;
}

/** Settings a workspace may not set until it is trusted (`capabilities.untrustedWorkspaces.restrictedConfigurations`). */
export function restrictedSettings(): string[] {
  return (LAUNCH_KNOBS as readonly LaunchKnob[]).flatMap((k) => (k.setting?.restricted ? [`${SETTINGS_SECTION}.${k.setting.key}`] : []));
}
