// Bad input of every kind gets a report that says what to fix, and never crashes the run: a driver
// that does not compile, throws, or returns a status its DDI may not return (naming the DDI, the
// arguments and the driver's file and line); a scenario that breaks its schema (JSON paths); a
// workload that asks for more memory than the adapter can ever hold.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { STATUS_NO_MEMORY } from '../../../src/sim/ddi/contract';
import { DriverError } from '../../../src/sim/driver/errors';
import { createMachine } from '../../../src/sim/machine';
import { parseScenario, ScenarioError } from '../../../src/sim/scenario';
import { REFERENCE_DRIVER, runScenario, scenario, testDriver } from './helpers';
import { readFileSync } from 'node:fs';
import { tempDir } from '../../setup';

const dir = tempDir('paging-lab-bad-');

/** A driver file: a copy of the reference driver's folder with one line of driver.ts replaced, saved as `name`. */
function driverFile(name: string, edit: (source: string) => string): string {
  const folder = mkdtempSync(join(dir, 'driver-'));
  cpSync(dirname(REFERENCE_DRIVER), folder, { recursive: true });
  const path = join(folder, name);
  const source = edit(readFileSync(REFERENCE_DRIVER, 'utf8')).replace(/\/\/\/ <reference path="[^"]+" \/>\n/, '');
  rmSync(join(folder, 'driver.ts'));
  writeFileSync(path, source);
  return path;
}

const simple = () =>
  scenario({
    workload: [
      { op: 'create', id: 'a', size: '64KiB' },
      { op: 'create', id: 'b', size: '64KiB' },
      { op: 'write', id: 'a' },
      { op: 'render', allocations: ['a', 'b'] },
    ],
  });

function lineOf(path: string, needle: string): number {
  return readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('kernel: bad input', () => {
  it('a driver that does not compile: the error names its file, line and column', async () => {
    const path = driverFile('broken.ts', (s) => s.replace('const PAGING_BUFFER_SIZE = 16 * 1024;', 'const PAGING_BUFFER_SIZE = 16 * ;'));
    await assert.rejects(createMachine({ driver: path, scenario: simple() }), (e: unknown) => {
      assert.ok(e instanceof DriverError);
      assert.equal(e.kind, 'compile');
      assert.equal(e.location?.file, path);
      assert.equal(e.location?.line, lineOf(path, 'const PAGING_BUFFER_SIZE'));
      assert.match(e.message, /broken\.ts:\d+:\d+: error:/);
      return true;
    });
  });

  it('a driver that throws in a DDI: the run ends with an error naming the DDI, its arguments and the throwing line of the .ts file', async () => {
    const path = driverFile('throws.ts', (s) =>
      s.replace('    case DXGK_OPERATION_FILL: {\n', "    case DXGK_OPERATION_FILL: {\n      throw new Error('fill is not implemented');\n"),
    );
    const run = await runScenario(path, simple());
    assert.equal(run.result.ok, false);
    const err = run.result.error!;
    assert.equal(err.category, 'driver');
    assert.equal(err.ddi, 'DxgkDdiBuildPagingBuffer');
    assert.equal(err.location?.file, path);
    assert.equal(err.location?.line, lineOf(path, "throw new Error('fill is not implemented')"));
    assert.match(err.message, /DxgkDdiBuildPagingBuffer threw at .*throws\.ts:\d+:\d+: Error: fill is not implemented/);
    assert.ok(run.events.some((e) => e.kind === 'error'));
  });

  it('a driver that returns a status its DDI may not return: the error names the DDI, the status, the arguments, the return and where the DDI is', async () => {
    const path = driverFile('status.ts', (s) =>
      s.replace('    case DXGK_OPERATION_FILL: {\n', '    case DXGK_OPERATION_FILL: {\n      return STATUS_NO_MEMORY;\n'),
    );
    const run = await runScenario(path, simple());
    assert.equal(run.result.ok, false);
    const err = run.result.error!;
    assert.equal(err.category, 'driver');
    assert.equal(err.ddi, 'DxgkDdiBuildPagingBuffer');
    assert.match(err.message, /DxgkDdiBuildPagingBuffer returned STATUS_NO_MEMORY, which it may not return here/);
    assert.match(err.message, /arguments: \{ pDmaBuffer: .*Operation: Fill/);
    assert.equal(err.location?.file, path);
    // At the `return` that gave the status, with the DDI's implementation as the second location.
    assert.equal(err.location?.line, lineOf(path, 'case DXGK_OPERATION_FILL: {') + 1);
    assert.match(err.message, new RegExp(`in DxgkDdiBuildPagingBuffer at .*:${lineOf(path, 'function DxgkDdiBuildPagingBuffer(')}:`));
    void STATUS_NO_MEMORY;
  });

  it('a driver that passes a kernel callback something it refuses: the error names the callback, the DDI and the calling line', async () => {
    const path = driverFile('callback.ts', (s) =>
      s.replace('      InterruptType: DXGK_INTERRUPT_DMA_COMPLETED,', '      InterruptType: 3 as typeof DXGK_INTERRUPT_DMA_COMPLETED,'),
    );
    const run = await runScenario(path, simple());
    assert.equal(run.result.ok, false);
    const err = run.result.error!;
    assert.equal(err.ddi, 'DxgkDdiInterruptRoutine');
    assert.match(err.message, /DxgkCbNotifyInterrupt: unsupported InterruptType 3 \(during DxgkDdiInterruptRoutine\)/);
    assert.equal(err.location?.file, path);
    assert.equal(err.location?.line, lineOf(path, 'dxgk.DxgkCbNotifyInterrupt(dxgk.DeviceHandle, {'));
  });

  it('STATUS_GRAPHICS_ALLOCATION_BUSY for a Fill is a bad status (only Transfer, DiscardContent and SpecialLockTransfer may return it)', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, a) => (a.Operation === 1 ? 0xc01e0102 : init.DxgkDdiBuildPagingBuffer(h, a)),
    }));
    const run = await runScenario(driver, simple());
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /returned STATUS_GRAPHICS_ALLOCATION_BUSY, which it may not return here/);
  });

  it('a driver that writes past DmaSize is stopped', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, a) {
        const s = init.DxgkDdiBuildPagingBuffer(h, a);
        a.pDmaBuffer.Offset += 1 << 20;
        return s;
      },
    }));
    const run = await runScenario(driver, simple());
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /left pDmaBuffer\.Offset at \d+, outside the space it was given/);
  });

  it('a scenario that breaks its schema: every problem with its JSON path, none thrown past the caller', () => {
    const text = JSON.stringify({
      adapter: { segments: [{ name: 'vram', kind: 'memory', size: 'lots' }], engines: 0 },
      workload: [
        { op: 'create', id: 'a', size: '64KiB', colour: 'red' },
        { op: 'render', allocations: ['a', 'ghost'] },
        { op: 'teleport' },
      ],
    });
    assert.throws(
      () => parseScenario(text, 'bad.json'),
      (e: unknown) => {
        assert.ok(e instanceof ScenarioError);
        const paths = e.problems.map((p) => p.path);
        assert.ok(paths.includes('/adapter/segments/0/size'), paths.join(' '));
        assert.ok(paths.includes('/adapter/engines'), paths.join(' '));
        assert.ok(paths.includes('/workload/0'), paths.join(' '));
        assert.ok(paths.includes('/workload/2/op'), paths.join(' '));
        assert.ok(e.problems.some((p) => p.path === '/workload/0' && /unknown member 'colour'/.test(p.message)));
        assert.match(e.message, /bad\.json: invalid scenario/);
        return true;
      },
    );
    // Past the schema, the checks it cannot express, also with paths.
    assert.throws(
      () => parseScenario(JSON.stringify({ workload: [{ op: 'render', allocations: ['ghost'] }, { op: 'create', id: 'b', size: '10000' }] }), 'b.json'),
      (e: unknown) => e instanceof ScenarioError && e.problems.some((p) => p.path === '/workload/0/allocations/0' && /'ghost' does not exist/.test(p.message)),
    );
    assert.throws(() => parseScenario('{ "workload": [ }', 'c.json'), (e: unknown) => e instanceof ScenarioError && /not valid JSON/.test(e.message));
  });

  it('a workload asking for more memory than the adapter can ever hold gets a clear error with the step', async () => {
    const run = await runScenario(
      await testDriver(() => ({})),
      scenario({ workload: [{ op: 'create', id: 'huge', size: '4MiB' }, { op: 'render', allocations: ['huge'] }] }),
    );
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error!.category, 'scenario');
    assert.equal(run.result.error!.path, '/workload/0');
    assert.match(run.result.error!.message, /'huge' needs 4194304 bytes but the largest segment it may use .* holds 524288: it can never be resident/);
    const together = await runScenario(
      await testDriver(() => ({})),
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '400KiB' },
          { op: 'create', id: 'b', size: '400KiB' },
          { op: 'create', id: 'c', size: '400KiB' },
          { op: 'render', allocations: ['a', 'b', 'c'] },
        ],
      }),
    );
    assert.equal(together.result.ok, false);
    assert.equal(together.result.error!.path, '/workload/3');
    assert.match(together.result.error!.message, /can never be made resident: .a., .b., .c. need 1228800 bytes together but may only use local, vram, which hold 1048576 bytes/);
  });
});
