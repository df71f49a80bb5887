// The layers of src/ hold by rule, not by discipline: `npm run lint` refuses an import that runs
// upward or sideways (eslint.config.mjs, checked here on imports written for the purpose), every
// folder of src/ is under that rule.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ESLint } from 'eslint';
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
