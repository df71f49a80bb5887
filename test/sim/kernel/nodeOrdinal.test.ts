// Which engine: the WDK names it by node. DXGKARG_SUBMITCOMMAND.NodeOrdinal is the node the buffer
// goes to and its EngineOrdinal is "reserved for future use"; DxgkCbNotifyInterrupt's
// DmaCompleted.NodeOrdinal is "the node that generates the notification", and EngineOrdinal is
// always 0 on an adapter that is not part of a link. A driver that follows the WDK on two engines
// must have its fences completed on the right one.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DXGKQAITYPE_DRIVERCAPS, type DXGK_DRIVERCAPS, type DXGKARG_PATCH, type DXGKARG_SUBMITCOMMAND } from '../../../src/sim/ddi/contract';
import { parseScenario } from '../../../src/sim/scenario';
import { runScenario, SAMPLES, testDriver } from './helpers';

describe('engines are nodes: NodeOrdinal names the engine, EngineOrdinal is 0; the driver says how many and which pages', () => {
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

  // DXGK_GPUENGINETOPOLOGY.NbAsymetricProcessingNodes and DXGK_VIDMMCAPS.PagingNode: the scheduler
  // has the nodes the driver exposes, and paging buffers run on the paging node.
  const topology = (nodes: unknown, pagingNode: unknown, seen: DXGKARG_SUBMITCOMMAND[]) =>
    testDriver((init) => ({
      DxgkDdiQueryAdapterInfo(h, q) {
        const st = init.DxgkDdiQueryAdapterInfo(h, q);
        if (q.Type === DXGKQAITYPE_DRIVERCAPS) {
          const caps = q.pOutputData as DXGK_DRIVERCAPS;
          caps.GpuEngineTopology.NbAsymetricProcessingNodes = nodes as number;
          caps.MemoryManagementCaps.PagingNode = pagingNode as number;
        }
        return st;
      },
      DxgkDdiSubmitCommand(h, s) {
        seen.push({ ...s });
        return init.DxgkDdiSubmitCommand(h, s);
      },
    }));
  const twoEngines = () => parseScenario(readFileSync(join(SAMPLES, 'two-engines.json'), 'utf8'), 'two-engines.json');

  it('a driver that exposes one node of two engines gets every buffer on node 0', async () => {
    const seen: DXGKARG_SUBMITCOMMAND[] = [];
    const run = await runScenario(await topology(1, 0, seen), twoEngines(), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(seen.length > 10 && seen.every((s) => s.NodeOrdinal === 0), `nodes used: ${[...new Set(seen.map((s) => s.NodeOrdinal))].join(', ')}`);
  });

  it('PagingNode 1: paging buffers run on node 1, renders on node 0, and the content is right', async () => {
    const seen: DXGKARG_SUBMITCOMMAND[] = [];
    const run = await runScenario(await topology(2, 1, seen), twoEngines(), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    const paging = seen.filter((s) => s.Flags.Paging);
    const other = seen.filter((s) => !s.Flags.Paging);
    assert.ok(paging.length > 0 && paging.every((s) => s.NodeOrdinal === 1), 'paging buffers on node 1');
    assert.ok(other.length > 0 && other.every((s) => s.NodeOrdinal === 0), 'renders on node 0');
  });

  it('more nodes than the hardware has engines, none, or a PagingNode past them stops the start, saying what to set', async () => {
    for (const [nodes, pagingNode, expect] of [
      [3, 0, /^DXGK_DRIVERCAPS\.GpuEngineTopology\.NbAsymetricProcessingNodes is 3: set it to the number of nodes \(engines\) the driver exposes, 1 to the hardware's 2/],
      [0, 0, /^DXGK_DRIVERCAPS\.GpuEngineTopology\.NbAsymetricProcessingNodes is 0: /],
      [2, 2, /^DXGK_DRIVERCAPS\.MemoryManagementCaps\.PagingNode is 2: the zero-based node that runs paging buffers, below NbAsymetricProcessingNodes \(2\)/],
    ] as const) {
      const run = await runScenario(await topology(nodes, pagingNode, []), twoEngines(), { keep: () => false });
      assert.equal(run.result.ok, false, `${nodes} nodes, PagingNode ${pagingNode}`);
      assert.equal(run.result.error!.ddi, 'DxgkDdiQueryAdapterInfo');
      assert.match(run.result.error!.message, expect);
    }
  });
});
