// The files "New Driver Project" writes: a driver that references the DDI typings, the typings
// themselves, a scenario, a tsconfig.json for the editor, and a launch configuration for F5.
// No `vscode` here, so the plan is unit-tested; the command copies the extension's own files in.

export const DDI_TYPINGS = 'paging-lab-ddi.d.ts';
/** Named so the extension's scenario schema (jsonValidation on *.scenario.json) applies. */
export const SCENARIO_FILE = 'default.scenario.json';

export interface ScaffoldSources {
  /** Contents of the extension's types/paging-lab-ddi.d.ts. */
  ddiTypings: string;
  /** Contents of the bundled reference driver. */
  driver: string;
  /** Contents of the bundled default scenario. */
  scenario: string;
}

export interface ScaffoldFile {
  path: string;
  content: string;
}

export function scaffoldFiles(src: ScaffoldSources): ScaffoldFile[] {
  const reference = `/// <reference path="./${DDI_TYPINGS}" />`;
  // The sample points at the typings inside the extension's tree; the project has its own copy.
  const pattern = /^\/\/\/\s*<reference\s+path="[^"]*paging-lab-ddi\.d\.ts"\s*\/>/m;
  const driver = pattern.test(src.driver) ? src.driver.replace(pattern, reference) : `${reference}\n${src.driver}`;
  let scenario: Record<string, unknown>;
  try {
    scenario = JSON.parse(src.scenario);
  } catch (e) {
    throw new Error(`The bundled scenario is not valid JSON (${e instanceof Error ? e.message : String(e)}); reinstall the extension.`);
  }
  // Its $schema is relative to the extension's tree; the extension validates *.scenario.json itself.
  delete scenario.$schema;
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true },
    files: [DDI_TYPINGS, 'driver.ts'],
  };
  const launch = {
    version: '0.2.0',
    configurations: [
      {
        type: 'wddm',
        request: 'launch',
        name: 'Debug driver (Paging Lab)',
        driver: '${workspaceFolder}/driver.ts',
        scenario: `\${workspaceFolder}/${SCENARIO_FILE}`,
        stopOnEntry: false,
      },
    ],
  };
  return [
    { path: 'driver.ts', content: driver },
    { path: DDI_TYPINGS, content: src.ddiTypings },
    { path: SCENARIO_FILE, content: JSON.stringify(scenario, null, 2) + '\n' },
    { path: 'tsconfig.json', content: JSON.stringify(tsconfig, null, 2) + '\n' },
    { path: '.vscode/launch.json', content: JSON.stringify(launch, null, 2) + '\n' },
  ];
}
