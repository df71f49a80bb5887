// The Adapter scope shows where VidMm placed things and why, over the real adapter: a banked
// segment's banks, the bank a resident allocation lies in and the HintedBank it asked for
// (samples/scenarios/banks.json), and an EvictionSegmentSet that names an aperture segment to evict
// through (samples/scenarios/eviction-aperture.json).

import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';
import { ROOT } from '../setup';
import { adapterPerTest, launchAndStop, variables as vars, type AdapterClient } from './harness';

const KERNEL = 1;
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');

/** Launches `scenario` with the reference driver and runs to the first DxgkDdiPatch (the first render's buffer, after its page-ins). */
async function atFirstPatch(dc: AdapterClient, scenario: string): Promise<void> {
  const stop = await launchAndStop(dc, { driver: REFERENCE, scenario: join(ROOT, 'samples', 'scenarios', scenario) }, async () => {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiPatch' }] });
  });
  assert.equal(stop.event, 'stopped');
}

async function adapter(dc: AdapterClient): Promise<Map<string, DebugProtocol.Variable>> {
  const frame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
  const scope = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'Adapter')!;
  return vars(dc, scope.variablesReference);
}

describe('debug adapter: placement in the Adapter scope (banks, eviction through an aperture)', function () {
  this.timeout(60000);
  const client = adapterPerTest();

  it("shows a banked segment's banks, and each allocation's bank and HintedBank", async () => {
    const dc = client();
    await atFirstPatch(dc, 'banks.json');
    const a = await adapter(dc);
    const segments = await vars(dc, a.get('segments')!.variablesReference);
    const vram = segments.get('1 vram')!;
    assert.match(vram.value, /, 3 banks$/);
    const banks = await vars(dc, vram.variablesReference);
    assert.deepEqual(
      [...banks].map(([name, v]) => `${name} ${v.value}`),
      ['bank 1 [0x0, 0x40000)', 'bank 2 [0x40000, 0x80000)', 'bank 3 [0x80000, 0x100000)'],
    );
    assert.equal(Number(banks.get('bank 2')!.memoryReference), 2 ** 40 + 0x40000, 'a bank opens at its place in the segment');
    const allocations = await vars(dc, a.get('allocations')!.variablesReference);
    const depth = await vars(dc, allocations.get('#1 depth')!.variablesReference);
    assert.equal(depth.get('bank')?.value, '3');
    assert.equal(depth.get('HintedBank')?.value, 'bank 3 from the top');
    const spill = await vars(dc, allocations.get('#4 spill')!.variablesReference);
    assert.equal(spill.get('HintedBank')?.value, 'bank 2, then bank 1');
    assert.equal(spill.get('bank'), undefined, 'not resident yet: no bank');
    // The side bar's state carries them too (its allocation tooltips).
    const state = (await dc.customRequest('pagingLab.adapterState')).body as { allocations: { name: string; bank?: number; hintedBank?: string }[] };
    assert.deepEqual(
      state.allocations.filter((x) => x.name === 'depth' || x.name === 'spill').map((x) => [x.name, x.bank, x.hintedBank]),
      [
        ['depth', 3, 'bank 3 from the top'],
        ['spill', undefined, 'bank 2, then bank 1'],
      ],
    );
  });

  it('shows an EvictionSegmentSet that names an aperture segment', async () => {
    const dc = client();
    await atFirstPatch(dc, 'eviction-aperture.json');
    const allocations = await vars(dc, (await adapter(dc)).get('allocations')!.variablesReference);
    const a = await vars(dc, allocations.get('#1 a')!.variablesReference);
    assert.equal(a.get('EvictionSegmentSet')?.value, '0x2 (evicted through gart)');
    const state = (await dc.customRequest('pagingLab.adapterState')).body as { allocations: { name: string; evictionSegmentSet?: number }[] };
    assert.equal(state.allocations.find((x) => x.name === 'a')?.evictionSegmentSet, 2);
    const plain = await vars(dc, allocations.get('#3 plain')!.variablesReference);
    assert.equal(plain.get('EvictionSegmentSet'), undefined);
  });
});
