// Which NTSTATUS values a DDI may return, against its WDK reference page: the pages that list their
// codes are followed to the letter (DxgkDdiCreateAllocation and DxgkDdiQueryAdapterInfo list
// STATUS_GRAPHICS_DRIVER_MISMATCH; DxgkDdiAcquireSwizzlingRange the two UNSWIZZLING_APERTURE
// codes), and DriverEntry, DxgkDdiAddDevice, DxgkDdiStartDevice, DxgkDdiStopDevice,
// DxgkDdiDestroyAllocation and DxgkDdiReleaseSwizzlingRange may return any error code of
// Ntstatus.h. A driver returning an allowed failure is not reported as breaking the contract: the
// run says what failed. An error code where the page says Windows bugchecks (DxgkDdiPatch,
// DxgkDdiSubmitCommand) is reported with the bugcheck. And a DxgkDdiAddDevice that succeeds with
// MiniportDeviceContext NULL declines the adapter, as its page says.

import assert from 'node:assert/strict';
import {
  STATUS_GRAPHICS_DRIVER_MISMATCH,
  STATUS_GRAPHICS_NO_VIDEO_MEMORY,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
} from '../../../src/sim/ddi/contract';
import { describeAllowed, errorConsequence, isAllowedStatus } from '../../../src/sim/ddi/statusRules';
import { runScenario, scenario, testDriver } from './helpers';
import { sampleScenario } from '../verifier/helpers';

/** STATUS_DEVICE_CONFIGURATION_ERROR: an error code of Ntstatus.h that no DDI page lists. */
const DEVICE_CONFIGURATION_ERROR = 0xc0000182;
/** An informational code (severity 1): neither success nor an error. */
const INFORMATIONAL = 0x401e000a;

const small = () => scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'verify' }] });

describe('DDI return codes, as the WDK pages list them', () => {
  it('DxgkDdiCreateAllocation and DxgkDdiQueryAdapterInfo: STATUS_GRAPHICS_DRIVER_MISMATCH, not STATUS_GRAPHICS_NO_VIDEO_MEMORY or STATUS_NOT_SUPPORTED', () => {
    assert.ok(isAllowedStatus('DxgkDdiCreateAllocation', STATUS_GRAPHICS_DRIVER_MISMATCH));
    assert.ok(!isAllowedStatus('DxgkDdiCreateAllocation', STATUS_GRAPHICS_NO_VIDEO_MEMORY));
    assert.ok(isAllowedStatus('DxgkDdiQueryAdapterInfo', STATUS_GRAPHICS_DRIVER_MISMATCH));
    assert.ok(!isAllowedStatus('DxgkDdiQueryAdapterInfo', STATUS_NOT_SUPPORTED));
  });

  it('DxgkDdiAcquireSwizzlingRange: the two UNSWIZZLING_APERTURE codes, not STATUS_INSUFFICIENT_RESOURCES', () => {
    assert.ok(isAllowedStatus('DxgkDdiAcquireSwizzlingRange', STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE));
    assert.ok(isAllowedStatus('DxgkDdiAcquireSwizzlingRange', STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED));
    assert.ok(!isAllowedStatus('DxgkDdiAcquireSwizzlingRange', STATUS_INSUFFICIENT_RESOURCES));
  });

  it('DriverEntry, DxgkDdiAddDevice, DxgkDdiStartDevice, DxgkDdiStopDevice, DxgkDdiDestroyAllocation, DxgkDdiReleaseSwizzlingRange: success or any error code, nothing else', () => {
    for (const ddi of ['DriverEntry', 'DxgkDdiAddDevice', 'DxgkDdiStartDevice', 'DxgkDdiStopDevice', 'DxgkDdiDestroyAllocation', 'DxgkDdiReleaseSwizzlingRange'] as const) {
      assert.ok(isAllowedStatus(ddi, STATUS_SUCCESS), ddi);
      assert.ok(isAllowedStatus(ddi, DEVICE_CONFIGURATION_ERROR), ddi);
      assert.ok(!isAllowedStatus(ddi, INFORMATIONAL), ddi);
      assert.match(describeAllowed(ddi), /^STATUS_SUCCESS, or an error code of Ntstatus\.h/);
    }
  });

  it('a DxgkDdiStartDevice that fails with an error code ends the run saying so, not as a broken contract', async () => {
    const failing = await testDriver(() => ({ DxgkDdiStartDevice: () => DEVICE_CONFIGURATION_ERROR }));
    const run = await runScenario(failing, small());
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiStartDevice failed with 0xC0000182/);
    assert.doesNotMatch(run.result.error!.message, /may not return/);
  });

  it('a DxgkDdiStopDevice that fails with an error code ends the run saying so; an informational code breaks the contract', async () => {
    const failing = await testDriver((init) => ({ DxgkDdiStopDevice: (ctx) => (init.DxgkDdiStopDevice!(ctx), DEVICE_CONFIGURATION_ERROR) }));
    const run = await runScenario(failing, small());
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiStopDevice failed with 0xC0000182/);
    const odd = await testDriver((init) => ({ DxgkDdiStopDevice: (ctx) => (init.DxgkDdiStopDevice!(ctx), INFORMATIONAL) }));
    const oddRun = await runScenario(odd, small());
    assert.equal(oddRun.result.ok, false);
    assert.match(oddRun.result.error!.message, /DxgkDdiStopDevice returned 0x401E000A, which it may not return here \(allowed: STATUS_SUCCESS, or an error code of Ntstatus\.h/);
  });

  it('an error code from DxgkDdiSubmitCommand or DxgkDdiPatch is, on Windows, BugCheck 0x119: the report says so', async () => {
    assert.match(errorConsequence('DxgkDdiSubmitCommand', STATUS_INSUFFICIENT_RESOURCES), /BugCheck 0x119 \(VIDEO_SCHEDULER_INTERNAL_ERROR\), first parameter 0x2$/);
    assert.match(errorConsequence('DxgkDdiPatch', STATUS_INSUFFICIENT_RESOURCES), /first parameter 0x3$/);
    assert.equal(errorConsequence('DxgkDdiPatch', INFORMATIONAL), '');
    assert.equal(errorConsequence('DxgkDdiCreateAllocation', STATUS_INSUFFICIENT_RESOURCES), '');
    const failing = await testDriver((init) => ({ DxgkDdiSubmitCommand: (h, args) => (init.DxgkDdiSubmitCommand(h, args), STATUS_INSUFFICIENT_RESOURCES) }));
    const run = await runScenario(failing, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'render', allocations: ['a'] }, { op: 'wait' }] }));
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiSubmitCommand returned STATUS_INSUFFICIENT_RESOURCES, which it may not return here \(allowed: STATUS_SUCCESS\); on Windows an error code here stops the system with BugCheck 0x119/);
  });

  it('a DxgkDdiAddDevice that succeeds with MiniportDeviceContext NULL declines the adapter: the run says so and nothing starts', async () => {
    const declining = await testDriver((init) => ({
      DxgkDdiAddDevice: (pdo, out) => {
        const st = init.DxgkDdiAddDevice(pdo, out);
        out.value = null;
        return st;
      },
    }));
    const run = await runScenario(declining, small());
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiAddDevice returned STATUS_SUCCESS with MiniportDeviceContext NULL: the driver declines this display adapter/);
    assert.equal(run.events.filter((e) => e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiStartDevice').length, 0);
  });

  it('a DxgkDdiDestroyAllocation that fails with an error code is said in the trace, and the run goes on', async () => {
    const failing = await testDriver((init) => ({ DxgkDdiDestroyAllocation: (h, args) => (init.DxgkDdiDestroyAllocation(h, args), DEVICE_CONFIGURATION_ERROR) }));
    const run = await runScenario(failing, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'destroy', id: 'a' }, { op: 'create', id: 'b', size: '64KiB' }, { op: 'verify' }] }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const said = run.events.find((e) => e.kind === 'kernel' && e.what === 'allocation-not-released');
    assert.ok(said && said.kind === 'kernel');
    assert.match(said.message, /DxgkDdiDestroyAllocation for 'a' failed with 0xC0000182: the driver did not release its records of it/);
  });

  it('a DxgkDdiReleaseSwizzlingRange that fails with an error code is said in the trace, and the run goes on', async () => {
    const failing = await testDriver((init) => ({ DxgkDdiReleaseSwizzlingRange: (h, args) => (init.DxgkDdiReleaseSwizzlingRange!(h, args), DEVICE_CONFIGURATION_ERROR) }));
    const run = await runScenario(failing, sampleScenario('cpu-access'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const said = run.events.filter((e) => e.kind === 'kernel' && e.what === 'swizzling-range' && /DxgkDdiReleaseSwizzlingRange .* failed with 0xC0000182: range \d+ may still be programmed; VidMm counts it as free/.test(e.message));
    assert.ok(said.length > 0, 'no failed release said');
  });
});
