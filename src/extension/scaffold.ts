// The files "New Driver Project" writes: the reference driver's modules (driver.ts referencing
// the DDI typings), the typings themselves, a scenario, a tsconfig.json for the editor, and a
// launch configuration for F5 (the driver) and one for the .pgasm file in the editor.
// No `vscode` here, so the plan is unit-tested; the command copies the extension's own files in.

export const DDI_TYPINGS = 'paging-lab-ddi.d.ts';
/** Named so the extension's scenario schema (jsonValidation on *.scenario.json) applies. */
export const SCENARIO_FILE = 'default.scenario.json';
/** The launch configuration (and snippet) that runs the .pgasm file in the editor. */
export const PGASM_CONFIGURATION = 'Run the pgasm file in the editor';

export interface ScaffoldSources {
  /** Contents of the extension's types/paging-lab-ddi.d.ts. */
  ddiTypings: string;
  /** The bundled reference driver's modules (driver.ts and the files it imports), by file name. */
  driverFiles: readonly ScaffoldFile[];
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
  if (!src.driverFiles.some((f) => f.path === 'driver.ts')) throw new Error('The bundled reference driver has no driver.ts; reinstall the extension.');
  const driverFiles = src.driverFiles.map((f) => {
    if (f.path.includes('/') || !f.path.endsWith('.ts')) throw new Error(`Unexpected file in the reference driver: ${f.path}`);
    const content = pattern.test(f.content) ? f.content.replace(pattern, reference) : f.path === 'driver.ts' ? `${reference}\n${f.content}` : f.content;
    return { path: f.path, content };
  });
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
    include: ['*.ts'],
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
      // F5 runs the configuration selected in Run and Debug: this one runs the .pgasm file open in
      // the editor on the simulated GPU, stopped before its first opcode.
      { type: 'wddm', request: 'launch', name: PGASM_CONFIGURATION, program: '${file}', stopOnEntry: true },
    ],
  };
  return [
    ...driverFiles,
    { path: DDI_TYPINGS, content: src.ddiTypings },
    { path: SCENARIO_FILE, content: JSON.stringify(scenario, null, 2) + '\n' },
    { path: 'tsconfig.json', content: JSON.stringify(tsconfig, null, 2) + '\n' },
    { path: '.vscode/launch.json', content: JSON.stringify(launch, null, 2) + '\n' },
  ];
}
