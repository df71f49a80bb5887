// Bad input on the WDK paths gets a clear error that says what to fix: steps the schema refuses,
// steps that cannot apply to the allocation, a driver without the DDI a step needs.

import assert from 'node:assert/strict';
import { createMachine } from '../../../src/sim/machine';
import { normalizeScenario, ScenarioError } from '../../../src/sim/scenario';
import type { ScenarioFile } from '../../../src/sim/scenario/types';
import { REFERENCE } from '../verifier/helpers';
import { loadDriver } from '../../../src/sim/driver/loader';
import type { DRIVER_OBJECT, NTSTATUS } from '../../../src/sim/ddi/contract';

const adapter: ScenarioFile['adapter'] = {
  segments: [
    { name: 'vram', kind: 'memory', size: '512KiB', cpuVisible: true },
    { name: 'gart', kind: 'aperture', size: '512KiB' },
  ],
  systemMemory: '64MiB',
  commonBufferBudget: '4MiB',
};

async function failure(workload: ScenarioFile['workload'], driver: string | ((o: DRIVER_OBJECT, r: string) => NTSTATUS) = REFERENCE) {
  const machine = await createMachine({ driver, scenario: normalizeScenario({ adapter, workload }, 'bad-input') });
  const r = machine.run();
  assert.equal(r.ok, false, 'the run should fail');
  return r.error!;
}

describe('WDK steps: bad input', () => {
  it('the schema names the member and the step of a malformed WDK step', () => {
    assert.throws(
      () => normalizeScenario({ adapter, workload: [{ op: 'create', id: 'a', size: 4096 }, { op: 'lock', id: 'a', mode: 'bar' } as never] }, 'bad'),
      (e: unknown) => {
        assert.ok(e instanceof ScenarioError);
        assert.match(e.message, /\/workload\/1\/mode: must be equal to one of the allowed values: "system", "aperture", "alternate-va"/);
        return true;
      },
    );
    assert.throws(
      () => normalizeScenario({ adapter, workload: [{ op: 'create', id: 'a', size: 4096 }, { op: 'paging-queue', action: 'map-va', id: 'a' }, { op: 'dma-transfer', id: 'b', direction: 'to-device' }] }, 'bad'),
      (e: unknown) => {
        assert.ok(e instanceof ScenarioError);
        assert.match(e.message, /\/workload\/1: 'map-va' needs a GPU virtual address 'va'/);
        assert.match(e.message, /\/workload\/2\/id: allocation 'b' does not exist here/);
        return true;
      },
    );
  });

  it('locking an allocation that is not CPU-visible through the aperture says how to fix it, with the step', async () => {
    const err = await failure([{ op: 'create', id: 'a', size: 4096 }, { op: 'lock', id: 'a', mode: 'aperture' }]);
    assert.equal(err.category, 'scenario');
    assert.match(err.message, /'a' is not CPU-visible \(create it with "cpuVisible": true\)/);
    assert.equal(err.path, '/workload/1');
  });

  it('locking an allocation created CPU-visible whose driver did not set the flag names the driver, not the scenario', async () => {
    const reference = (await loadDriver(REFERENCE)).DriverEntry;
    const ignoring = (o: DRIVER_OBJECT, r: string): NTSTATUS => {
      const st = reference(o, r);
      const init = o.DriverInitializationData!;
      o.DriverInitializationData = {
        ...init,
        DxgkDdiCreateAllocation(h, args) {
          const status = init.DxgkDdiCreateAllocation(h, args);
          for (const info of args.pAllocationInfo) info.Flags.CpuVisible = false;
          return status;
        },
      };
      return st;
    };
    const err = await failure([{ op: 'create', id: 'a', size: 4096, cpuVisible: true }, { op: 'lock', id: 'a', mode: 'aperture' }], ignoring);
    assert.equal(err.category, 'scenario');
    assert.match(err.message, /^the driver did not make 'a' CPU-visible: the scenario creates it with "cpuVisible": true \(in the private data of DxgkDdiCreateAllocation\), but the driver did not set DXGK_ALLOCATIONINFOFLAGS.CpuVisible, so pfnLockCb fails/);
  });

  it('reading aperture memory of an allocation never mapped there', async () => {
    const err = await failure([{ op: 'create', id: 'a', size: 4096 }, { op: 'cpu-read', id: 'a' }]);
    assert.match(err.message, /'a' is not mapped into an aperture segment: map it first \(map-aperture\)/);
  });

  it('mapping into a segment that is not an aperture segment lists the aperture segments', async () => {
    const err = await failure([{ op: 'create', id: 'a', size: 4096 }, { op: 'map-aperture', id: 'a', segment: 'vram' }]);
    assert.match(err.message, /'vram' is not an aperture segment \(aperture segments: gart\)/);
  });

  it('a bus-master transfer with a driver that has no DxgkDdiBusMasterTransfer', async () => {
    const reference = (await loadDriver(REFERENCE)).DriverEntry;
    const driver = (o: DRIVER_OBJECT, r: string): NTSTATUS => {
      const st = reference(o, r);
      const init = { ...o.DriverInitializationData! };
      delete init.DxgkDdiBusMasterTransfer;
      o.DriverInitializationData = init;
      return st;
    };
    const err = await failure([{ op: 'create', id: 'a', size: 4096 }, { op: 'write', id: 'a' }, { op: 'dma-transfer', id: 'a', direction: 'to-device' }], driver);
    assert.match(err.message, /the driver has no DxgkDdiBusMasterTransfer/);
  });
});
