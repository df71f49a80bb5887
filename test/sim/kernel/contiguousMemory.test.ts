// DxgkCbAllocateContiguousMemory and DxgkCbFreeContiguousMemory: the memory comes with Dxgkrnl's
// tracking handle (hMemoryHandle), which gives it back; a handle it did not return, or one already
// given back, is refused with STATUS_INVALID_PARAMETER. The reference driver gives its fence rings'
// memory back at DxgkDdiStopDevice.

import assert from 'node:assert/strict';
import { STATUS_INVALID_PARAMETER, STATUS_SUCCESS, type HANDLE } from '../../../src/sim/ddi/contract';
import { runScenario, scenario, testDriver } from './helpers';

describe('DxgkCbAllocateContiguousMemory / DxgkCbFreeContiguousMemory', () => {
  it('the memory comes with a handle that gives it back once; the reference driver gives its rings back at DxgkDdiStopDevice', async () => {
    const statuses: number[] = [];
    const driver = await testDriver((init) => ({
      DxgkDdiStartDevice(ctx, info, iface) {
        const st = init.DxgkDdiStartDevice(ctx, info, iface);
        const mem = { NumberOfBytes: 8192, pVirtualAddress: null as Uint8Array | null, PhysicalAddress: 0, hMemoryHandle: null as HANDLE };
        statuses.push(iface.DxgkCbAllocateContiguousMemory(iface.DeviceHandle, mem));
        assert.ok(mem.pVirtualAddress && mem.pVirtualAddress.byteLength >= 8192 && mem.hMemoryHandle);
        statuses.push(iface.DxgkCbFreeContiguousMemory(iface.DeviceHandle, { hMemoryHandle: mem.hMemoryHandle }));
        statuses.push(iface.DxgkCbFreeContiguousMemory(iface.DeviceHandle, { hMemoryHandle: mem.hMemoryHandle }));
        statuses.push(iface.DxgkCbFreeContiguousMemory(iface.DeviceHandle, { hMemoryHandle: { made: 'up' } }));
        return st;
      },
    }));
    const run = await runScenario(driver, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'render', allocations: ['a'], write: ['a'] }, { op: 'verify' }] }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(statuses, [STATUS_SUCCESS, STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER]);
    assert.deepEqual(run.machine.kernel.contiguousMemory.blocks, [], 'the fence rings were given back at DxgkDdiStopDevice');
  });
});
