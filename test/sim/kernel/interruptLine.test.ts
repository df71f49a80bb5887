// The adapter's interrupt line (src/sim/kernel/interruptLine.ts): on a line shared with another
// device, DxgkDdiInterruptRoutine is called for that device's interrupts too; when the scenario does
// not share it, nothing about claiming is judged. The three rules themselves are caught on their
// buggy samples (test/sim/verifier/rules.test.ts, ruleLines.test.ts).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../setup';
import { buggyDriver, REFERENCE, ROOT, runSample } from '../verifier/helpers';

/**
 * A driver file: the reference driver with its DxgkDdiInterruptRoutine replaced by `body` (a
 * function of `ctx` and `n`, with `dxgk`, the kernel's interface, and `reference` in scope).
 */
function routineDriver(name: string, body: string): string {
  const file = join(tempDir(`${name}-`), 'driver.ts');
  writeFileSync(
    file,
    `import { DXGK_INTERRUPT_DMA_COMPLETED, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKRNL_INTERFACE, type DXGK_START_INFO, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from ${JSON.stringify(join(ROOT, 'samples', 'drivers', 'reference', 'driver'))};
let reference: DRIVER_INITIALIZATION_DATA;
let dxgk: DXGKRNL_INTERFACE | null = null;
void DXGK_INTERRUPT_DMA_COMPLETED;
export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = {
    ...reference,
    DxgkDdiStartDevice(ctx: HANDLE, info: DXGK_START_INFO, iface: DXGKRNL_INTERFACE) { dxgk = iface; return reference.DxgkDdiStartDevice(ctx, info, iface); },
    DxgkDdiInterruptRoutine(ctx: HANDLE, n: number) {
${body}
    },
  };
  return status;
}
`,
  );
  return file;
}

describe('the interrupt line', () => {
  it('shared-interrupt.json: the other device interrupts before every step, and the reference driver answers FALSE to each and TRUE to its own', async () => {
    const run = await runSample(REFERENCE, 'shared-interrupt');
    assert.equal(run.result.ok, true, run.result.error?.message);
    const steps = run.events.filter((e) => e.kind === 'scenario-step').length;
    let foreign = 0;
    let own = 0;
    let from: 'foreign' | 'own' | undefined;
    const answers = { foreign: [] as unknown[], own: [] as unknown[] };
    for (const e of run.events) {
      if (e.kind === 'kernel' && e.what === 'interrupt') {
        from = e.data.sharedLine ? 'foreign' : 'own';
        if (from === 'foreign') foreign++;
        else own++;
      } else if (e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiInterruptRoutine' && from) {
        answers[from].push(e.call.result);
        from = undefined;
      }
    }
    assert.ok(steps > 50, `${steps} steps`);
    assert.equal(foreign, steps, 'one interrupt of the other device before each step');
    assert.deepEqual(new Set(answers.foreign), new Set([false]), 'the routine refuses every one of them');
    assert.equal(answers.foreign.length, foreign);
    assert.ok(own > 10, `${own} interrupts of the adapter's own engines`);
    assert.ok(answers.own.includes(true), 'and claims its own');
  });

  it('a line the scenario does not share is the adapter\'s alone: a routine that claims every interrupt passes default.json', async () => {
    const run = await runSample(buggyDriver('interrupt-claimed-foreign'), 'default');
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(!run.events.some((e) => e.kind === 'kernel' && e.what === 'interrupt' && e.data.sharedLine));
  });

  it('with the verifier off, a routine that never queues its DPC still ends the run as the driver\'s error, not as a hang', async () => {
    const run = await runSample(buggyDriver('interrupt-dpc-not-queued'), 'default', { verifier: false });
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error?.category, 'driver');
    assert.match(run.result.error!.message, /returned without calling DxgkCbQueueDpc/);
  });

  it('DxgkCbQueueDpc says TRUE for the first request and FALSE while that DPC is still queued (one per device)', async () => {
    const file = routineDriver(
      'queue-dpc',
      `      const first = dxgk!.DxgkCbQueueDpc(dxgk!.DeviceHandle);
      const second = dxgk!.DxgkCbQueueDpc(dxgk!.DeviceHandle);
      dxgk!.DbgPrint(\`queued \${first} \${second}\`);
      return reference.DxgkDdiInterruptRoutine(ctx, n);`,
    );
    const run = await runSample(file, 'default');
    assert.equal(run.result.ok, true, run.result.error?.message);
    const prints = run.machine.kernel.driverPrints.filter((p) => p.startsWith('queued'));
    assert.ok(prints.length > 3, `${prints.length} interrupts`);
    assert.deepEqual(new Set(prints), new Set(['queued true false']));
  });

  it('a routine that reports a fence already reported, and so claims every interrupt, is caught on the shared line', async () => {
    const file = routineDriver(
      're-report',
      `      reference.DxgkDdiInterruptRoutine(ctx, n);
      const fence = 0; // never anything new
      dxgk!.DxgkCbNotifyInterrupt(dxgk!.DeviceHandle, { InterruptType: DXGK_INTERRUPT_DMA_COMPLETED, DmaCompleted: { SubmissionFenceId: fence, NodeOrdinal: 0, EngineOrdinal: 0 } });
      dxgk!.DxgkCbQueueDpc(dxgk!.DeviceHandle);
      return true;`,
    );
    const shared = await runSample(file, 'shared-interrupt');
    assert.equal(shared.result.error?.rule, 'interrupt-claimed-foreign', shared.result.error?.message);
    assert.match(shared.result.error!.message, /what the routine notified was already reported/);
    const alone = await runSample(file, 'default');
    assert.equal(alone.result.ok, true, alone.result.error?.message);
  });

  it('a notification without its DmaCompleted, with a fence id that is not one, or naming the engine in EngineOrdinal, is refused with what to fix', async () => {
    for (const [name, data, expect] of [
      ['missing', '{ InterruptType: DXGK_INTERRUPT_DMA_COMPLETED }', /InterruptType 1 needs DmaCompleted, got undefined/],
      ['string', "{ InterruptType: DXGK_INTERRUPT_DMA_COMPLETED, DmaCompleted: { SubmissionFenceId: '1', NodeOrdinal: 0, EngineOrdinal: 0 } }", /DmaCompleted\.SubmissionFenceId is "1", not a non-negative integer/],
      // The engine is the node: EngineOrdinal is 0 on an adapter that is not part of a link.
      ['engine', '{ InterruptType: DXGK_INTERRUPT_DMA_COMPLETED, DmaCompleted: { SubmissionFenceId: 1, NodeOrdinal: 0, EngineOrdinal: 1 } }', /DmaCompleted\.EngineOrdinal is 1; for an adapter that is not part of a link it is always 0, and the engine that interrupted is named by DmaCompleted\.NodeOrdinal/],
    ] as const) {
      const file = routineDriver(
        `bad-notify-${name}`,
        `      void ctx; void n;
      dxgk!.DxgkCbNotifyInterrupt(dxgk!.DeviceHandle, ${data} as never);
      dxgk!.DxgkCbQueueDpc(dxgk!.DeviceHandle);
      return true;`,
      );
      const run = await runSample(file, 'default');
      assert.equal(run.result.ok, false);
      assert.equal(run.result.error?.category, 'driver');
      assert.match(run.result.error!.message, expect);
      assert.equal(run.result.error!.location?.file, file, 'at the driver\'s line');
    }
  });
});
