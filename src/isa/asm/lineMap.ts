// Where each source line's bytes went, in the order they were placed: one flat record per line that
// produced bytes, built into LineMapEntry objects only when someone reads them.

import type { LineMapEntry } from '../asmTypes';
import { NumberList } from './numberList';

const LINE = 0;
const OFFSET = 1;
const LENGTH = 2;
/** 1 for an instruction, 0 for data or padding. */
const KIND = 3;
const STRIDE = 4;

export class LineMap {
  constructor(private list: NumberList) {}

  get count(): number {
    return this.list.length / STRIDE;
  }

  add(line: number, offset: number, length: number, instruction: boolean): void {
    this.list.push4(line, offset, length, instruction ? 1 : 0);
  }

  line(k: number): number {
    return this.list.data[k * STRIDE + LINE];
  }
  offset(k: number): number {
    return this.list.data[k * STRIDE + OFFSET];
  }
  length(k: number): number {
    return this.list.data[k * STRIDE + LENGTH];
  }
  isInstruction(k: number): boolean {
    return this.list.data[k * STRIDE + KIND] === 1;
  }

  /** A copy holding exactly the entries recorded, for a result that outlives the run. */
  compact(): LineMap {
    return new LineMap(this.list.compact());
  }

  entries(): LineMapEntry[] {
    const out: LineMapEntry[] = new Array(this.count);
    for (let k = 0; k < out.length; k++) out[k] = { line: this.line(k), offset: this.offset(k), length: this.length(k), instruction: this.isInstruction(k) };
    return out;
  }
}
