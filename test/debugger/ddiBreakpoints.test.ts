// The DDI breakpoints of a driver session on their own: names checked against the DDIs and placed at
// the driver's implementation, source lines accepted only at a DDI's first line, and the difference
// between a forward hit (counted, logged) and the check going back (condition only).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DdiBreakpoints } from '../../src/debugger/kernel/ddiBreakpoints';
import { UNKNOWN, type Value } from '../../src/debugger/expression';

const DRIVER = join('/drivers', 'mine.ts');
const definitions: Record<string, { file: string; line: number; column: number }> = {
  DxgkDdiBuildPagingBuffer: { file: DRIVER, line: 40, column: 1 },
  DxgkDdiPatch: { file: DRIVER, line: 90, column: 1 },
};
const lookup =
  (values: Record<string, Value>) =>
  (name: string): Value | typeof UNKNOWN =>
    name in values ? values[name] : UNKNOWN;
/** The names of a call, as `hits` asks for them (only when a breakpoint is on the DDI). */
const names = (values: Record<string, Value>) => () => lookup(values);

describe('debugger: DDI breakpoints', () => {
  let bps: DdiBreakpoints;
  beforeEach(() => {
    bps = new DdiBreakpoints((ddi) => definitions[ddi]);
  });

  it('places a function breakpoint at the DDI implementation, matches names without regard to case, and refuses what is no DDI', () => {
    const r = bps.setFunction([
      { id: 1, name: 'DxgkDdiBuildPagingBuffer' },
      { id: 2, name: ' dxgkddipatch ' },
      { id: 3, name: 'BuildPagingBuffer' },
      { id: 4, name: 'DxgkDdiPatch', hitCondition: 'often' },
    ]);
    assert.deepEqual(r[0], { id: 1, verified: true, line: 40, source: { name: 'mine.ts', path: DRIVER } });
    assert.equal(r[1].verified, true);
    assert.equal(r[1].line, 90);
    assert.equal(r[2].verified, false);
    assert.match(r[2].message ?? '', /'BuildPagingBuffer' is not a DDI\. Function breakpoints take one of: .*DxgkDdiBuildPagingBuffer/);
    assert.equal(r[3].verified, false);
    assert.match(r[3].message ?? '', /hit count: 'often' is not a count/);
    assert.deepEqual([...bps.ddis()].sort(), ['DxgkDdiBuildPagingBuffer', 'DxgkDdiPatch']);
  });

  it('takes a source breakpoint on a DDI heading or its first body line, at the heading, and refuses other lines saying where to put it', () => {
    const r = bps.setSource(DRIVER, [
      { id: 5, line: 40 },
      { id: 6, line: 91 },
      { id: 7, line: 45 },
    ]);
    assert.deepEqual(
      r.map((x) => [x.id, x.verified, x.line]),
      [
        [5, true, 40],
        [6, true, 90],
        [7, false, 45],
      ],
    );
    assert.match(r[2].message ?? '', /first line of a DDI function/);
    assert.deepEqual(bps.lines(DRIVER, 1, 100), [40, 90]);
    assert.deepEqual(bps.lines(join('/drivers', 'other.ts'), 1, 100), []);
    // Set again for the file: the earlier set is replaced, not added to.
    bps.setSource(DRIVER, []);
    assert.deepEqual([...bps.ddis()], []);
  });

  it('going forward counts hits and logs log points; going back checks the condition only', () => {
    bps.setFunction([
      { id: 1, name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == 1', hitCondition: '2' },
      { id: 2, name: 'DxgkDdiBuildPagingBuffer', logMessage: 'op {Operation}' },
    ]);
    bps.setSource(DRIVER, [{ id: 3, line: 40, condition: 'DmaSize < 100' }]);
    const logs: string[] = [];
    const log = (t: string): void => {
      logs.push(t);
    };
    const transfer = names({ Operation: 1, DmaSize: 4096 });
    // First transfer: the hit condition (the second hit) is not met yet; the source breakpoint's condition fails.
    assert.equal(bps.hits('DxgkDdiBuildPagingBuffer', transfer, log), undefined);
    assert.deepEqual(
      bps.hits('DxgkDdiBuildPagingBuffer', transfer, log),
      { ids: [1], reason: 'function breakpoint', error: undefined },
    );
    assert.deepEqual(logs, ['op 1', 'op 1']);
    // A small DMA buffer: the source breakpoint stops, and the stop is a (source) breakpoint's.
    assert.deepEqual(bps.hits('DxgkDdiBuildPagingBuffer', names({ Operation: 2, DmaSize: 64 }), log)?.reason, 'breakpoint');
    let asked = 0;
    assert.equal(bps.hits('DxgkDdiPatch', () => (asked++, lookup({})), log), undefined);
    assert.equal(asked, 0, 'no breakpoint on the DDI: its names are not asked for');
    // Going back: the condition alone decides (no hit count, no log point), and nothing is counted.
    assert.deepEqual(bps.wouldStop('DxgkDdiBuildPagingBuffer', transfer()), { ids: [1], reason: 'function breakpoint' });
    assert.equal(bps.wouldStop('DxgkDdiBuildPagingBuffer', lookup({ Operation: 2, DmaSize: 4096 })), undefined);
    assert.deepEqual(logs, ['op 1', 'op 1', 'op 2']);
  });

  it('a condition that cannot be evaluated stops, with the error', () => {
    bps.setFunction([{ id: 1, name: 'DxgkDdiPatch', condition: 'NoSuchName == 1' }]);
    const hit = bps.hits('DxgkDdiPatch', names({}), () => undefined);
    assert.deepEqual(hit?.ids, [1]);
    assert.match(hit?.error ?? '', /NoSuchName/);
  });
});
