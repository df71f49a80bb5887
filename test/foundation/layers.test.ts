// The layers of src/ hold by rule, not by discipline: `npm run lint` refuses an import that runs
// upward or sideways (eslint.config.mjs, checked here on imports written for the purpose), every
// folder of src/ is under that rule, and no files import each other in a circle.
//
// Circles are found here, over the compiler's own reading of the imports, rather than by a lint
// plugin: the TypeScript compiler is already a dependency and reads the whole tree in well under a
// second, while eslint-plugin-import-x's no-cycle would bring eleven packages (a native resolver
// among them) for one check.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { ROOT } from '../setup';

describe('layers', function () {
  this.timeout(60_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  /** The import rule's messages for `code` written as the file `file`. */
  async function importErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('refuses an import that runs upward, and says what the layer may import', async () => {
    const errors = await importErrors('src/sim/hw/probe.ts', "import { DebugSession } from '../../debugger/session';\nexport const s = DebugSession;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /src\/sim may import only src\/isa/);
    assert.deepEqual(await importErrors('src/sim/hw/probe.ts', "import { OPCODES } from '../../isa/opcodes';\nexport const o = OPCODES;\n"), []);
  });

  it('counts type-only imports and re-exports', async () => {
    assert.equal((await importErrors('src/language/probe.ts', "import type { Machine } from '../sim/machine';\nexport type M = Machine;\n")).length, 1);
    assert.equal((await importErrors('src/isa/asm/probe.ts', "export * from '../../sim/machine';\n")).length, 1);
  });

  it('keeps the VS Code API in src/extension and the protocol libraries in their layers', async () => {
    assert.match((await importErrors('src/debugger/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"))[0], /only src\/extension may use vscode/);
    assert.equal((await importErrors('src/sim/probe.ts', "import { DebugSession } from '@vscode/debugadapter';\nexport const d = DebugSession;\n")).length, 1);
    assert.equal((await importErrors('src/debugger/probe.ts', "import { createConnection } from 'vscode-languageserver/node';\nexport const c = createConnection;\n")).length, 1);
    assert.deepEqual(await importErrors('src/extension/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), []);
  });

  it('lets the extension take only the debug adapter\'s plain-data faces, and none of the simulator', async () => {
    assert.deepEqual(await importErrors('src/extension/probe.ts', "import { ADAPTER_STATE_REQUEST } from '../debugger/customRequests';\nexport const r = ADAPTER_STATE_REQUEST;\n"), []);
    assert.equal((await importErrors('src/extension/probe.ts', "import { DebugSession } from '../debugger/session';\nexport const s = DebugSession;\n")).length, 1);
    assert.equal((await importErrors('src/extension/probe.ts', "import { HOST_ENGINE } from '../sim/hw/types';\nexport const h = HOST_ENGINE;\n")).length, 1);
  });

  it('keeps Node\'s built-ins out of isa and the webview, which the browser runs', async () => {
    assert.equal((await importErrors('src/isa/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).length, 1);
    assert.equal((await importErrors('media/src/probe.ts', "import { createMachine } from '../../src/sim/machine';\nexport const m = createMachine;\n")).length, 1);
    assert.deepEqual(await importErrors('media/src/probe.ts', "import { DEBUG_SEGMENT_STRIDE } from '../../src/isa/debugAddress';\nexport const s = DEBUG_SEGMENT_STRIDE;\n"), []);
  });

  it('puts every folder of src/ and its subfolders under the rule', async () => {
    const folders = sourceFiles(join(ROOT, 'src')).map((f) => dirname(f));
    for (const folder of new Set(folders)) {
      const config = await eslint.calculateConfigForFile(join(folder, 'probe.ts'));
      assert.ok(config.rules?.['no-restricted-imports'], `${relative(ROOT, folder)} is under no layer rule: add it to LAYERS in eslint.config.mjs`);
    }
  });

  it('has no files that import each other in a circle', () => {
    const circles = importCircles([join(ROOT, 'src'), join(ROOT, 'media/src')]);
    assert.deepEqual(circles, [], `files importing each other in a circle:\n${circles.join('\n')}`);
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The file a relative import names, as the bundler resolves it; undefined for packages. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Each circle of imports (a strongly connected component of more than one file, or a file that
 * imports itself), as `a -> b -> a` over paths from the root. Type-only imports count: a circle of
 * types is still two files that cannot be read one before the other.
 */
function importCircles(roots: string[]): string[] {
  const files = roots.flatMap(sourceFiles);
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
    const to = info.importedFiles.map((i) => resolveImport(f, i.fileName)).filter((t): t is string => t !== undefined && t.endsWith('.ts'));
    edges.set(f, [...new Set(to)]);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || edges.get(v)?.includes(v)) components.push(c);
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return components.map((c) => {
    const inside = new Set(c);
    const ties = c.flatMap((a) => (edges.get(a) ?? []).filter((b) => inside.has(b)).map((b) => `${relative(ROOT, a)} -> ${relative(ROOT, b)}`));
    return ties.join(', ');
  });
}
