// The driver's own line in every report, whatever its functions are called: the line that broke a
// rule (the offending write or call, from the stack captured there and mapped through the source
// map), with the DDI's implementation as a second location where the report has room for it.

import assert from 'node:assert/strict';
import { tempDir } from '../../setup';
import { lineOf, run, wrapReference } from './drivers';

const dir = tempDir('paging-lab-lines-');

describe("sim/driver: reports point at the driver's own line, whatever its functions are called", function () {
  this.timeout(60000);

  it('pDmaBuffer moved past the end in a helper: the verifier names the helper line, then the registered DDI function', async () => {
    const file = wrapReference(
      dir,
      'past-end.ts',
      [
        'type Args = { pDmaBuffer: { Offset: number }; DmaSize: number };',
        'function buildPaging(h: unknown, a: Args): number {',
        '  const st = ref.DxgkDdiBuildPagingBuffer(h, a as never);',
        '  if (st === 0) claimRest(a);',
        '  return st;',
        '}',
        'function claimRest(a: Args): void {',
        '  a.pDmaBuffer.Offset += a.DmaSize + 64; // past the end',
        '}',
      ],
      ['DxgkDdiBuildPagingBuffer: buildPaging as never,'],
    );
    const { result } = await run(file);
    assert.equal(result.ok, false);
    const e = result.error!;
    assert.equal(e.rule, 'dma-pointer-past-end', e.message);
    assert.deepEqual({ file: e.location?.file, line: e.location?.line }, { file, line: lineOf(file, '// past the end') });
    assert.ok(e.message.includes(`\n  at ${file}:${lineOf(file, '// past the end')}:`), e.message);
    assert.ok(e.message.includes(`\n  in DxgkDdiBuildPagingBuffer at ${file}:${lineOf(file, 'function buildPaging')}:`), e.message);
  });

  it('a kernel callback refused from a helper: the report names the line of the call', async () => {
    const file = wrapReference(
      dir,
      'callback.ts',
      [
        'let iface: { DxgkCbQueueDpc(h: unknown): boolean };',
        'function startIt(ctx: unknown, info: unknown, dxgk: never, ...rest: never[]): number {',
        '  iface = dxgk;',
        '  return (ref.DxgkDdiStartDevice as (...a: unknown[]) => number)(ctx, info, dxgk, ...rest);',
        '}',
        'function queueWithWrongHandle(): void {',
        '  iface.DxgkCbQueueDpc({ not: "the device handle" }); // wrong handle',
        '}',
        'function onInterrupt(ctx: unknown, n: number): boolean {',
        '  queueWithWrongHandle();',
        '  return ref.DxgkDdiInterruptRoutine(ctx, n);',
        '}',
      ],
      ['DxgkDdiStartDevice: startIt as never,', 'DxgkDdiInterruptRoutine: onInterrupt as never,'],
    );
    const { result } = await run(file);
    assert.equal(result.ok, false);
    const e = result.error!;
    assert.equal(e.category, 'driver', e.message);
    assert.match(e.message, /DxgkCbQueueDpc was called with a DeviceHandle that is not DxgkInterface.DeviceHandle \(during DxgkDdiInterruptRoutine\)/);
    assert.deepEqual({ file: e.location?.file, line: e.location?.line }, { file, line: lineOf(file, '// wrong handle') });
  });

  it('a status the DDI may not return, from an arrow function under another name: located at that function', async () => {
    const file = wrapReference(
      dir,
      'status.ts',
      ['const unluckyBuild = (h: unknown, a: never): number => (ref.DxgkDdiBuildPagingBuffer(h, a) === 0 ? 0xc0000017 : 0); // STATUS_NO_MEMORY'],
      ['DxgkDdiBuildPagingBuffer: unluckyBuild as never,'],
    );
    const { result } = await run(file);
    assert.equal(result.ok, false);
    const e = result.error!;
    assert.equal(e.category, 'driver', e.message);
    assert.match(e.message, /DxgkDdiBuildPagingBuffer returned STATUS_NO_MEMORY/);
    assert.deepEqual({ file: e.location?.file, line: e.location?.line }, { file, line: lineOf(file, 'const unluckyBuild') });
  });
});
