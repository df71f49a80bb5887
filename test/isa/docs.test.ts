// docs/pgasm.md is generated from the opcode table, directives and diagnostic codes: this fails
// when the committed file is stale (regenerate with `npx tsx scripts/gen-pgasm-docs.ts`).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../src/isa/diagnosticCodes';
import { DIRECTIVES } from '../../src/isa/directives';
import { OPCODES } from '../../src/isa/opcodes';
import { pgasmMarkdown } from '../../src/isa/pgasmDocs';

describe('isa: docs/pgasm.md', () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'pgasm.md'), 'utf8');

  it('is what scripts/gen-pgasm-docs.ts generates', () => {
    assert.ok(committed === pgasmMarkdown(), 'docs/pgasm.md is stale: run `npx tsx scripts/gen-pgasm-docs.ts` and commit it');
  });

  it('documents every opcode with its encoding, every directive and every diagnostic code', () => {
    for (const op of OPCODES) {
      assert.ok(committed.includes(`### \`${op.mnemonic}\` (0x${op.code.toString(16).toUpperCase().padStart(2, '0')}, ${op.size} bytes)`), op.mnemonic);
      for (const o of op.operands) assert.ok(committed.includes(`| ${o.offset}..`), `${op.mnemonic} ${o.name}`);
    }
    for (const d of DIRECTIVES) assert.ok(committed.includes(`### \`${d.name}\``), d.name);
    for (const code of Object.keys(DIAGNOSTIC_CODES)) assert.ok(committed.includes(`| ${code} |`), code);
  });
});
