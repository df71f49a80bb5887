// The files "New Driver Project" writes: a driver that references the DDI typings, the typings
// themselves, a scenario, a tsconfig.json for the editor, and a launch configuration for F5.
// No `vscode` here, so the plan is unit-tested; the command copies the extension's own files in.

export const DDI_TYPINGS = 'paging-lab-ddi.d.ts';

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
  const driver = src.driver.includes(DDI_TYPINGS) ? src.driver : `${reference}\n${src.driver}`;
  try {
    JSON.parse(src.scenario);
  } catch (e) {
    throw new Error(`The bundled scenario is not valid JSON (${e instanceof Error ? e.message : String(e)}); reinstall the extension.`);
  }
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
        scenario: '${workspaceFolder}/scenario.json',
        stopOnEntry: false,
      },
    ],
  };
  return [
    { path: 'driver.ts', content: driver },
    { path: DDI_TYPINGS, content: src.ddiTypings },
    { path: 'scenario.json', content: src.scenario },
    { path: 'tsconfig.json', content: JSON.stringify(tsconfig, null, 2) + '\n' },
    { path: '.vscode/launch.json', content: JSON.stringify(launch, null, 2) + '\n' },
  ];
}
