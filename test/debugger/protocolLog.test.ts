// The protocol log (PAGING_LAB_DAP_LOG): off unless asked for; when on, the real adapter records
// each request it received and each response and event it sent as one stamped JSON line; a log
// that cannot be written is reported once and never fails the session.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProtocolLog } from '../../src/debugger/protocolLog';
import { AdapterClient, initialize } from './harness';
import { tempDir } from '../setup';

describe('debug adapter: the protocol log', function () {
  this.timeout(60000);

  it('is off without a path, and writes one stamped JSON line per message with one', () => {
    assert.equal(openProtocolLog(undefined, () => assert.fail('no warning expected')), undefined);
    assert.equal(openProtocolLog('', () => assert.fail('no warning expected')), undefined);
    const file = join(tempDir('paging-lab-dap-log-'), 'dap.jsonl');
    const log = openProtocolLog(file, () => assert.fail('no warning expected'))!;
    const before = Date.now();
    log('in', { seq: 3, type: 'request', command: 'next', arguments: { threadId: 100 } } as never);
    log('out', { seq: 4, type: 'event', event: 'stopped', body: { reason: 'step', threadId: 100 } } as never);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.deepEqual({ ...lines[0], t: 0 }, { t: 0, direction: 'in', seq: 3, type: 'request', command: 'next', arguments: { threadId: 100 } });
    assert.equal(lines[1].direction, 'out');
    assert.equal(lines[1].event, 'stopped');
    for (const l of lines) assert.ok((l.t as number) >= before && (l.t as number) <= Date.now(), `wall-clock stamp: ${l.t}`);
  });

  it('reports a log it cannot write once, then stops logging without throwing', () => {
    const dir = tempDir('paging-lab-dap-log-'); // a folder cannot be appended to
    const warnings: string[] = [];
    const log = openProtocolLog(dir, (w) => warnings.push(w))!;
    log('in', { seq: 1, type: 'request', command: 'threads' } as never);
    log('in', { seq: 2, type: 'request', command: 'threads' } as never);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /protocol log .* cannot be written .*logging stopped/);
  });

  it('records what the real adapter received and sent when PAGING_LAB_DAP_LOG names a file', async () => {
    const file = join(tempDir('paging-lab-dap-log-'), 'dap.jsonl');
    const dc = new AdapterClient();
    process.env.PAGING_LAB_DAP_LOG = file; // the adapter process inherits it as it starts
    try {
      await dc.start();
    } finally {
      delete process.env.PAGING_LAB_DAP_LOG;
    }
    try {
      await initialize(dc);
      await dc.request('threads');
    } finally {
      await dc.close();
    }
    assert.ok(existsSync(file), 'the log was written');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const shown = lines.map((l) => `${l.direction} ${l.type} ${l.command ?? l.event}`);
    assert.deepEqual(shown.filter((s) => !s.includes('event')), ['in request initialize', 'out response initialize', 'in request threads', 'out response threads', 'in request disconnect', 'out response disconnect']);
  });
});
