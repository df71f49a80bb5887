// Generates types/paging-lab-ddi.d.ts, the typings a driver project references, from the sources
// that run: src/sim/ddi/contract.ts (module `paging-lab/ddi`) and src/sim/ddi/gpu.ts (module
// `paging-lab/gpu`, which re-exports the opcode table and encoder from src/isa).
//   node scripts/gen-ddi-types.mjs           write the file
//   node scripts/gen-ddi-types.mjs --check   exit 1 if the committed file is stale
// A test runs the check, so the shipped typings cannot drift from the contract.
import ts from 'typescript';
import { readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'types', 'paging-lab-ddi.d.ts');

export function generate() {
  const tmp = mkdtempSync(join(tmpdir(), 'ddi-types-'));
  try {
    const outFile = join(tmp, 'out.d.ts');
    const program = ts.createProgram([join(root, 'src/sim/ddi/contract.ts'), join(root, 'src/sim/ddi/gpu.ts')], {
      declaration: true,
      emitDeclarationOnly: true,
      module: ts.ModuleKind.AMD,
      outFile,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      rootDir: join(root, 'src'),
      types: [],
      lib: ['lib.es2022.d.ts'],
      removeComments: false,
    });
    const result = program.emit();
    if (result.diagnostics.length) {
      throw new Error(result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
    }
    let text = readFileSync(outFile, 'utf8');
    // Internal module names get a prefix so they cannot collide with the user's own modules.
    text = text.replace(/(["'])((?:sim|isa)\/[\w/]+)\1/g, '"paging-lab/internal/$2"');
    // NTSTATUS values read as in ntstatus.h.
    text = text.replace(/(export const STATUS_\w+ = )(\d+);/g, (_, head, n) =>
      `${head}0x${Number(n).toString(16).toUpperCase().padStart(8, '0')};`,
    );
    return (
      '// Typings for Paging Lab drivers: the DDI contract (`paging-lab/ddi`) and the simulated GPU\'s\n' +
      '// programming interface (`paging-lab/gpu`). Generated from src/sim/ddi by\n' +
      '// scripts/gen-ddi-types.mjs; do not edit. Reference it from a driver project with\n' +
      '// `/// <reference path="paging-lab-ddi.d.ts" />` or list it in tsconfig.json "files".\n\n' +
      text +
      '\ndeclare module "paging-lab/ddi" {\n    export * from "paging-lab/internal/sim/ddi/contract";\n}\n' +
      'declare module "paging-lab/gpu" {\n    export * from "paging-lab/internal/sim/ddi/gpu";\n}\n'
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
    if (current !== text) {
      console.error('types/paging-lab-ddi.d.ts is stale: run `node scripts/gen-ddi-types.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, text);
    console.log(`wrote ${OUT}`);
  }
}
