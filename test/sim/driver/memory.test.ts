// A driver that allocates without end: paging-lab run's worker has a heap limit, and running out of
// it is reported as the driver's fault, naming the DDI that was running, instead of the host growing
// to gigabytes and ending with an internal stack trace.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { distFile, tempDir } from '../../setup';
import { lineOf, wrapReference } from './drivers';

const dir = tempDir('paging-lab-memory-');

describe('sim/driver: a driver that allocates without end', function () {
  this.timeout(180000);

  it('paging-lab run stops it at the worker heap limit and reports it as the driver fault', () => {
    const file = wrapReference(
      dir,
      'hoarder.ts',
      [
        'const hoard: number[][] = [];',
        'function keepEveryPage(h: unknown, a: never): number {',
        '  for (;;) hoard.push(new Array(100000).fill(hoard.length));',
        '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
        '}',
      ],
      ['DxgkDdiBuildPagingBuffer: keepEveryPage,'],
    );
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', '--quiet', '--tdr-delay-ms', '600000', '--driver', file], { encoding: 'utf8', timeout: 170000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /error \(driver\): the run used up its 1024 MiB of JavaScript memory while the driver's DxgkDdiBuildPagingBuffer was running/);
    // At the function registered for the DDI, whatever its name (the worker said where it is as it entered it).
    assert.ok(r.stdout.includes(`  at ${file}:${lineOf(file, 'function keepEveryPage')}:`), r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, /internal|stopped unexpectedly/);
    console.log(`      (stopped after ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
});
