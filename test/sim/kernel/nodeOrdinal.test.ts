// Which engine: the WDK names it by node. DXGKARG_SUBMITCOMMAND.NodeOrdinal is the node the buffer
// goes to and its EngineOrdinal is "reserved for future use"; DxgkCbNotifyInterrupt's
// DmaCompleted.NodeOrdinal is "the node that generates the notification", and EngineOrdinal is
// always 0 on an adapter that is not part of a link. A driver that follows the WDK on two engines
// must have its fences completed on the right one.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DXGKARG_PATCH, DXGKARG_SUBMITCOMMAND } from '../../../src/sim/ddi/contract';
import { parseScenario } from '../../../src/sim/scenario';
import { runScenario, SAMPLES, testDriver } from './helpers';

describe('engines are nodes: NodeOrdinal names the engine, EngineOrdinal is 0', () => {
  it('on two engines, DxgkDdiPatch and DxgkDdiSubmitCommand name each buffer\'s node, and completions by node finish the run', async () => {
    const patched = new Map<number, DXGKARG_PATCH>();
    const submits: { args: DXGKARG_SUBMITCOMMAND; patch: { NodeOrdinal: number; EngineOrdinal: number } | undefined }[] = [];
    const driver = await testDriver((init) => ({
      DxgkDdiPatch(h, p) {
        patched.set(p.SubmissionFenceId * 16 + p.NodeOrdinal, { ...p });
        return init.DxgkDdiPatch(h, p);
      },
      DxgkDdiSubmitCommand(h, s) {
        submits.push({ args: { ...s }, patch: patched.get(s.SubmissionFenceId * 16 + s.NodeOrdinal) });
        return init.DxgkDdiSubmitCommand(h, s);
      },
    }));
    const s = parseScenario(readFileSync(join(SAMPLES, 'two-engines.json'), 'utf8'), 'two-engines.json');
    const run = await runScenario(driver, s, { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual([...new Set(submits.map((x) => x.args.NodeOrdinal))].sort(), [0, 1], 'buffers went to both engines');
    assert.ok(submits.every((x) => x.args.EngineOrdinal === 0), 'DXGKARG_SUBMITCOMMAND.EngineOrdinal is reserved: 0');
    for (const x of submits) {
      assert.ok(x.patch, `fence ${x.args.SubmissionFenceId} on node ${x.args.NodeOrdinal} was patched for that node first`);
      assert.equal(x.patch.EngineOrdinal, 0, 'DXGKARG_PATCH.EngineOrdinal is reserved: 0');
    }
  });
});
