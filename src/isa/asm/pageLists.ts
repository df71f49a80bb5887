// `mdl(...)` operands that point into the DMA buffer should point at a `.pages` list of the file and
// stay within its pages. The uses are noted while instructions are encoded and checked once every
// `.pages` is placed, as flat records in one typed array rather than an object each.

import { formatSize } from '../checks';
import { NumberList } from './numberList';
import { OPCODE_BY_CODE, PAGE_SIZE } from '../opcodes';
import type { DiagnosticSink } from './report';
import { hex, UPPER } from '../hex';

// A use, as numbers: where it is, what it reaches, and which operand of which opcode it is.
const LINE = 0;
/** The page list's offset in the buffer. */
const ADDRESS = 1;
/** The byte offset into the pages. */
const AUX = 2;
/** How many bytes the instruction reaches from there. */
const EXTENT = 3;
/** The operand's characters. */
const S = 4;
const E = 5;
/** The page-list address's characters (inside `mdl( )`). */
const ADDR_S = 6;
const ADDR_E = 7;
const OPCODE = 8;
const OPERAND = 9;
const STRIDE = 10;

export class PageListUses {
  private readonly list: NumberList;

  /** `expected`: how many uses to make room for at first. */
  constructor(expected = 8) {
    this.list = new NumberList(expected * STRIDE);
  }

  get count(): number {
    return this.list.length / STRIDE;
  }

  /** Forgets every use (to note those of a line encoded again). */
  clear(): void {
    this.list.length = 0;
  }

  add(line: number, address: number, aux: number, extent: number, s: number, e: number, addrS: number, addrE: number, opcode: number, operand: number): void {
    const at = this.list.alloc(STRIDE);
    const d = this.list.data;
    d[at + LINE] = line;
    d[at + ADDRESS] = address;
    d[at + AUX] = aux;
    d[at + EXTENT] = extent;
    d[at + S] = s;
    d[at + E] = e;
    d[at + ADDR_S] = addrS;
    d[at + ADDR_E] = addrE;
    d[at + OPCODE] = opcode;
    d[at + OPERAND] = operand;
  }

  /**
   * Reports each use that does not point at a page list (`pageLists`: offset → page count) or
   * reaches past its end; `line` overrides where the uses are (all on one line that has moved since).
   */
  check(pageLists: ReadonlyMap<number, number>, sink: DiagnosticSink, line?: number): void {
    const m = this.list.data;
    for (let k = 0; k < this.list.length; k += STRIDE) {
      const at = line ?? m[k + LINE];
      const address = m[k + ADDRESS];
      const pages = pageLists.get(address);
      if (pages === undefined) {
        sink.diag('PGA023', `mdl(${hex(address, UPPER)}) does not point at a .pages list of this file`, at, m[k + ADDR_S], m[k + ADDR_E], '.pages');
        continue;
      }
      const reach = m[k + AUX] + m[k + EXTENT];
      if (reach > pages * PAGE_SIZE) {
        const op = OPCODE_BY_CODE[m[k + OPCODE]]!;
        sink.diag(
          'PGA024',
          `${op.mnemonic} ${op.operands[m[k + OPERAND]].name} reaches byte ${hex(reach, UPPER)} of a page list of ${pages} page${pages === 1 ? '' : 's'} (${formatSize(pages * PAGE_SIZE)})`,
          at,
          m[k + S],
          m[k + E],
          '.pages',
        );
      }
    }
  }
}
