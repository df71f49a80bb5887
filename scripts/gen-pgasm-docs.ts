// Writes docs/pgasm.md from the opcode table, directives and diagnostic codes:
//   npx tsx scripts/gen-pgasm-docs.ts
// test/isa/docs.test.ts fails when the committed file is not what this writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgasmMarkdown } from '../src/isa/pgasmDocs';

const out = join(__dirname, '..', 'docs', 'pgasm.md');
writeFileSync(out, pgasmMarkdown());
console.log(`wrote ${out}`);
