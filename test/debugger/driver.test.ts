// Acceptance scenario 1 over the real adapter: the bundled reference driver on the default scenario,
// stopped at DxgkDdiBuildPagingBuffer by a conditional function breakpoint, the whole
// DXGKARG_BUILDPAGINGBUFFER in Variables, step out, the bytes the driver wrote in memory and as
// disassembly, then the GPU thread steps one opcode and the destination range changes. Also: faults
// in the driver end in a stop or a terminated event, never a dead adapter.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, tempDir } from '../setup';
import { AdapterClient, decodeBase64, expectEvent, initialize } from './harness';

const KERNEL = 1;
const GPU = 100;
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const SCENARIO = join(ROOT, 'samples', 'scenarios', 'default.json');
const hexAddr = (n: number): string => '0x' + n.toString(16);
const LAUNCH_TIMEOUT = 30000;

/** The line of `function NAME(` in a file (1-based). */
function lineOf(file: string, name: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(`function ${name}(`)) + 1;
}

/** The first line of a file that contains `text` (1-based). */
function lineWith(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

async function start(dc: AdapterClient, args: Record<string, unknown>, configure: () => Promise<void>): Promise<DebugProtocol.Event> {
  await initialize(dc);
  const initialized = dc.waitForEvent('initialized', LAUNCH_TIMEOUT);
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  launched.catch(() => undefined);
  await initialized;
  await configure();
  const first = Promise.race([dc.waitForEvent('stopped', LAUNCH_TIMEOUT), dc.waitForEvent('terminated', LAUNCH_TIMEOUT)]);
  await dc.configurationDoneRequest();
  await launched;
  return first;
}

async function vars(dc: AdapterClient, ref: number): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return new Map(r.body.variables.map((v) => [v.name, v]));
}

async function read(dc: AdapterClient, address: number, count: number): Promise<Buffer> {
  const r = (await dc.request('readMemory', { memoryReference: hexAddr(address), count })) as DebugProtocol.ReadMemoryResponse;
  assert.ok(r.success, r.message);
  return decodeBase64(r.body?.data);
}

describe('debug adapter: a driver on the simulated kernel (scenario 1)', function () {
  this.timeout(60000);
  let dc: AdapterClient;

  beforeEach(async () => {
    dc = new AdapterClient();
    await dc.start();
  });

  afterEach(async () => {
    const violations = dc.violations.slice();
    await dc.close();
    assert.deepEqual(violations, [], 'every message the adapter sent validates against the DAP schema');
  });

  it('debugs a paging path: conditional DDI breakpoint, the arguments, step out, DMA bytes, one GPU opcode', async () => {
    let bps: DebugProtocol.SetFunctionBreakpointsResponse | undefined;
    const stop = (await start(dc, {}, async () => {
      bps = await dc.setFunctionBreakpointsRequest({
        breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == "Transfer" && Transfer.TransferSize > 0x10000' }, { name: 'DxgkDdiBuildPagingBufer' }],
      });
    })) as DebugProtocol.StoppedEvent;
    // The breakpoint on the real DDI is verified at the driver's implementation; the misspelt one says what is valid.
    assert.equal(bps!.body.breakpoints[0].verified, true);
    assert.equal(bps!.body.breakpoints[0].line, lineOf(REFERENCE, 'DxgkDdiBuildPagingBuffer'));
    assert.equal(bps!.body.breakpoints[1].verified, false);
    assert.match(bps!.body.breakpoints[1].message!, /^'DxgkDdiBuildPagingBufer' is not a DDI\. Function breakpoints take one of: DriverEntry, .*DxgkDdiBuildPagingBuffer/);

    assert.equal(stop.event, 'stopped');
    assert.equal(stop.body.reason, 'function breakpoint');
    assert.equal(stop.body.threadId, KERNEL);
    assert.deepEqual(stop.body.hitBreakpointIds, [bps!.body.breakpoints[0].id]);

    const threads = (await dc.threadsRequest()).body.threads;
    assert.deepEqual(threads, [{ id: KERNEL, name: 'Kernel → driver.ts (DDI calls)' }, { id: GPU, name: 'GPU paging engine 0' }]);

    // Frames: the DDI in the driver's source, what VidMm was doing, the scenario step in the scenario file.
    const stack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
    assert.equal(stack[0].name, 'DxgkDdiBuildPagingBuffer(Transfer)');
    assert.equal(stack[0].source?.path, REFERENCE);
    assert.equal(stack[0].line, lineOf(REFERENCE, 'DxgkDdiBuildPagingBuffer'));
    assert.match(stack[1].name, /^page in 'texture'/);
    const step = stack.at(-1)!;
    assert.match(step.name, /^step \d+: render /);
    assert.equal(step.source?.path, SCENARIO);
    assert.ok(step.line > 1);

    // The whole DXGKARG_BUILDPAGINGBUFFER, decoded.
    const scopes = (await dc.scopesRequest({ frameId: stack[0].id })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Arguments (DxgkDdiBuildPagingBuffer)', 'Adapter']);
    const args = await vars(dc, scopes[0].variablesReference);
    assert.equal(args.get('Operation')?.value, 'Transfer (0)');
    assert.equal(args.get('MultipassOffset')?.value, '0x0');
    assert.equal(args.get('DmaSize')?.value, '0x100');
    const p = args.get('pDmaBuffer')!;
    assert.match(p.value, /^0x[0-9a-f]+ \(\+0x0\)$/);
    const dmaStart = Number(p.memoryReference);
    assert.ok(dmaStart > 0);
    // The DDI frame opens the Disassembly view at the buffer's write pointer.
    assert.equal(Number(stack[0].instructionPointerReference), dmaStart, 'DxgkDdiBuildPagingBuffer\'s frame points at pDmaBuffer');
    const pFields = await vars(dc, p.variablesReference);
    assert.equal(pFields.get('Offset')?.value, '0x0');
    assert.equal(Number(pFields.get('PhysicalAddress')?.value), dmaStart);
    const transfer = await vars(dc, args.get('Transfer')!.variablesReference);
    assert.equal(transfer.get('TransferSize')?.value, '0x40000');
    assert.equal(transfer.get('TransferOffset')?.value, '0x0');
    assert.equal(transfer.get('Flags')?.value, 'AllocationIsIdle | TransferStart');
    const flags = await vars(dc, transfer.get('Flags')!.variablesReference);
    assert.equal(flags.get('TransferStart')?.value, 'true');
    assert.equal(flags.get('TransferEnd')?.value, 'false');
    assert.equal(flags.get('AllocationIsIdle')?.value, 'true');
    const src = await vars(dc, transfer.get('Source')!.variablesReference);
    assert.equal(src.get('SegmentId')?.value, '0x0');
    assert.match(src.get('pMdl')!.value, /^MDL\(0x80000 bytes, 128 pages\)$/);
    const dst = await vars(dc, transfer.get('Destination')!.variablesReference);
    const dstSegment = Number(dst.get('SegmentId')!.value);
    assert.ok(dstSegment > 0);
    const dstAddress = Number(dst.get('SegmentAddress')!.memoryReference);
    // SegmentAddress is the segment's BaseAddress plus the offset (the reference driver declares where
    // the hardware puts each segment: local after vram's 1 MiB); the debug address counts from the segment's start.
    const base = dstSegment === 2 ? 1024 * 1024 : 0;
    assert.equal(dstAddress, dstSegment * 2 ** 40 + Number(dst.get('SegmentAddress')!.value) - base);
    const cond = await dc.evaluateRequest({ expression: 'Transfer.Flags.TransferStart && Operation == DXGK_OPERATION_TRANSFER', frameId: stack[0].id, context: 'watch' });
    assert.equal(cond.body.result, 'true');

    // Step out: the DDI returns, the driver's instructions are in the DMA buffer.
    const before = await read(dc, dmaStart, 0x100);
    const memoryEvent = dc.waitForEvent('memory');
    const out = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.stepOutRequest({ threadId: KERNEL }));
    assert.equal(out.body.reason, 'step');
    const outStack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
    assert.equal(outStack[0].name, 'DxgkDdiBuildPagingBuffer(Transfer) → STATUS_SUCCESS');
    const outScopes = (await dc.scopesRequest({ frameId: outStack[0].id })).body.scopes;
    const ret = await vars(dc, outScopes.find((s) => s.name === 'Return value')!.variablesReference);
    assert.equal(ret.get('status')?.value, 'STATUS_SUCCESS (0x0)');
    const outArgs = await vars(dc, outScopes[0].variablesReference);
    const written = Number((await vars(dc, outArgs.get('pDmaBuffer')!.variablesReference)).get('Offset')!.value);
    assert.ok(written > 0, 'the driver advanced pDmaBuffer');
    const mem = (await memoryEvent) as DebugProtocol.MemoryEvent;
    assert.equal(Number(mem.body.memoryReference), dmaStart);
    assert.equal(mem.body.count, written);
    const after = await read(dc, dmaStart, 0x100);
    assert.notDeepEqual(after.subarray(0, written), before.subarray(0, written), 'the DMA buffer holds new bytes');
    assert.equal(after[0], 0x10, 'the first instruction is a copy (opcode 0x10)');
    const dis = (await dc.disassembleRequest({ memoryReference: hexAddr(dmaStart), instructionCount: 4, resolveSymbols: true })).body!.instructions;
    assert.equal(dis.length, 4);
    assert.match(dis[0].instruction, /^copy [a-z]+:0x[0-9A-F]+, mdl\(phys:0x[0-9A-F]+\)\+0x0, 0x[0-9A-F]+$/);
    assert.equal(Number(dis[0].address), dmaStart);
    assert.match(dis[0].symbol ?? '', /paging buffer|submission/);

    // The GPU thread: stop before the first instruction the driver wrote executes, then step one opcode.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const ib = (await dc.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: hexAddr(dmaStart) }] })) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.equal(ib.body.breakpoints[0].verified, true);
    const atGpu = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(atGpu.body.reason, 'instruction breakpoint');
    assert.equal(atGpu.body.threadId, GPU);
    const gpuStack = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames;
    assert.equal(Number(gpuStack[0].instructionPointerReference), dmaStart);
    assert.equal(gpuStack[0].name.split('  [')[0], dis[0].instruction);
    const regs = await vars(dc, (await dc.scopesRequest({ frameId: gpuStack[0].id })).body.scopes[0].variablesReference);
    assert.equal(regs.get('pc')?.value, '0x0');
    assert.equal(Number(regs.get('address')?.value), dmaStart);
    assert.equal(regs.get('state')?.value, 'executing');

    const dstBefore = await read(dc, dstAddress, 0x1000);
    await dc.request('setInstructionBreakpoints', { breakpoints: [] });
    const stepped = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal(stepped.body.reason, 'step');
    assert.equal(stepped.body.threadId, GPU);
    const next = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames[0];
    assert.equal(Number(next.instructionPointerReference), Number(dis[1].address), 'one opcode executed');
    const dstAfter = await read(dc, dstAddress, 0x1000);
    assert.notDeepEqual(dstAfter, dstBefore, 'the destination range changed');
    assert.ok(dstAfter.some((b) => b !== 0));
  });

  it('shows a GPU thread as a program session does: typed registers that evaluate, the operands, !regs and !fences', async () => {
    const entry = await start(dc, { stopOnEntry: true }, async () => undefined);
    assert.equal(entry.event, 'stopped');
    const atGpu = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal(atGpu.body.threadId, GPU);
    const frame = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames[0];
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Registers', 'Instruction', 'Adapter']);
    const regs = await vars(dc, scopes[0].variablesReference);
    assert.deepEqual([...regs.keys()].slice(0, 9), ['state', 'address', 'pc', 'instruction', 'pagingFence', 'time', 'busyUntil', 'submission', 'queued']);
    assert.equal(regs.get('pc')?.type, 'offset');
    assert.equal(regs.get('pc')?.evaluateName, 'pc');
    assert.equal(regs.get('instruction')?.value, frame.name.split('  [')[0]);
    const pc = await dc.evaluateRequest({ expression: regs.get('pc')!.evaluateName!, frameId: frame.id, context: 'watch' });
    assert.equal(Number(pc.body.result), Number(regs.get('pc')?.value));
    const operands = await vars(dc, scopes[1].variablesReference);
    assert.match(operands.get('opcode')?.value ?? '', /^[a-z]+ \(0x[0-9a-f]+\)$/);
    const regsCmd = await dc.evaluateRequest({ expression: '!regs 0', context: 'repl' });
    assert.match(regsCmd.body.result, /^state +executing\naddress +0x[0-9a-f]+\npc +0x[0-9a-f]+\ninstruction /);
    const fences = await dc.evaluateRequest({ expression: '!fences', context: 'repl' });
    assert.match(fences.body.result, /^engine 0: paging fence 0x[0-9a-f]+, lastSubmittedFence \d+, lastCompletedFence \d+$/);
  });

  it('stops inside a DDI from a breakpoint on its first line in the driver source; the adapter state answers there', async () => {
    const line = lineOf(REFERENCE, 'DxgkDdiCreateAllocation');
    let set: DebugProtocol.SetBreakpointsResponse | undefined;
    const stop = (await start(dc, { driver: REFERENCE, scenario: SCENARIO, seed: 3 }, async () => {
      set = await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    })) as DebugProtocol.StoppedEvent;
    // A line without code (the function's heading) moves to the first line of its body.
    assert.equal(set!.body.breakpoints[0].verified, true);
    assert.equal(set!.body.breakpoints[0].line, line + 1);
    assert.equal(stop.body.reason, 'breakpoint');
    const stack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
    assert.equal(stack[0].name, 'DxgkDdiCreateAllocation');
    assert.equal(stack[0].line, line + 1);
    assert.equal(stack[1].name, 'DxgkDdiCreateAllocation()');
    assert.equal(stack[1].line, line);
    // The adapter's state, read while the driver is paused at its line: segments, allocations with residency and location, fences, the paging queue.
    const adapterScope = (await dc.scopesRequest({ frameId: stack[1].id })).body.scopes.find((s) => s.name === 'Adapter')!;
    const adapter = await vars(dc, adapterScope.variablesReference);
    assert.deepEqual([...adapter.keys()], ['time', 'segments', 'allocations', 'fences', 'pagingQueue', 'pagingBuffers']);
    const segments = await vars(dc, adapter.get('segments')!.variablesReference);
    assert.equal(Number(segments.get('1 vram')?.memoryReference), 2 ** 40);
    const segs = await dc.evaluateRequest({ expression: '!segments', context: 'repl' });
    assert.match(segs.body.result, / 1 vram +memory /);
    // The first allocation is being described: none exists yet, and !alloc says so.
    assert.match((await dc.evaluateRequest({ expression: '!alloc', context: 'repl' })).body.result, /^no allocation exists yet at this moment/);
    const state = await dc.customRequest('pagingLab.adapterState');
    assert.deepEqual(((state.body as { segments: { name: string }[] }).segments).map((s) => s.name), ['vram', 'local', 'gart']);
    // Step out of the driver: the kernel's "DDI returned" stop; then the allocation the driver described exists.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    const out = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.stepOutRequest({ threadId: KERNEL }));
    assert.equal(out.body.reason, 'step');
    assert.equal((await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0].name, 'DxgkDdiCreateAllocation() → STATUS_SUCCESS');
    await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: KERNEL }));
    const frame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    const allocations = await vars(dc, (await vars(dc, (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'Adapter')!.variablesReference)).get('allocations')!.variablesReference);
    assert.match(allocations.get('#1 texture')?.value ?? '', /^0x80000 bytes, (system in system memory|resident in \w+\+0x[0-9a-f]+)/);
    // Its priority level, as the driver gave it in AllocationPriority, in the Variables and in the side bar's state.
    const texture = await vars(dc, allocations.get('#1 texture')!.variablesReference);
    assert.equal(texture.get('priority')?.value, 'D3DDDI_ALLOCATIONPRIORITY_NORMAL');
    const after = (await dc.customRequest('pagingLab.adapterState')).body as { allocations: { name: string; priority?: string }[] };
    assert.equal(after.allocations.find((a) => a.name === 'texture')?.priority, 'D3DDDI_ALLOCATIONPRIORITY_NORMAL');
    const alloc = await dc.evaluateRequest({ expression: '!alloc', context: 'repl' });
    assert.match(alloc.body.result, /^#1 texture: 0x80000 bytes/);
  });

  it('changes a DDI argument through setVariable before the driver runs, and the driver writes the new value', async () => {
    const stop = (await start(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == "Fill"' }] });
    })) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'function breakpoint');
    const frame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(frame.name, 'DxgkDdiBuildPagingBuffer(Fill)');
    const argsScope = (await dc.scopesRequest({ frameId: frame.id })).body.scopes[0];
    const args = await vars(dc, argsScope.variablesReference);
    const dmaStart = Number(args.get('pDmaBuffer')!.memoryReference);
    const fillRef = args.get('Fill')!.variablesReference;
    assert.equal((await vars(dc, fillRef)).has('FillPattern'), true); // a client sets what it has listed
    const set = await dc.setVariableRequest({ variablesReference: fillRef, name: 'FillPattern', value: '0x12345678' });
    assert.equal(set.body.value, '0x12345678');
    assert.equal((await vars(dc, fillRef)).get('FillPattern')?.value, '0x12345678');
    // A name that is not there, and a value that is not a number, are refused with a reason.
    const missing = (await dc.request('setVariable', { variablesReference: fillRef, name: 'NoSuchMember', value: '1' })) as DebugProtocol.Response;
    assert.equal(missing.success, false);
    assert.match(missing.message ?? '', /no variable 'NoSuchMember'/);
    const notNumber = (await dc.request('setVariable', { variablesReference: fillRef, name: 'FillPattern', value: 'true' })) as DebugProtocol.Response;
    assert.equal(notNumber.success, false);
    // The driver runs with the changed argument: its fill instruction carries the new pattern.
    await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.stepOutRequest({ threadId: KERNEL }));
    const dis = await dc.disassembleRequest({ memoryReference: hexAddr(dmaStart), instructionCount: 1 });
    assert.match(dis.body!.instructions[0].instruction, /^fill .*, 0x12345678$/);
  });

  /** A long generated workload (seconds), so that a session is still running when a pause arrives. */
  function longScenario(): string {
    const scenario = join(tempDir('paging-lab-pause-'), 'long.scenario.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'long',
        seed: 5,
        adapter: { segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '384KiB' }], systemMemory: '64MiB' },
        workload: [],
        generate: { allocations: 30, steps: 20000, minSize: '4KiB', maxSize: '64KiB' },
      }),
    );
    return scenario;
  }

  it('pauses a running session on request and continues from there', async () => {
    const scenario = longScenario();
    const entry = (await start(dc, { scenario, stopOnEntry: true }, async () => undefined)) as DebugProtocol.StoppedEvent;
    const output = (): string => dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
    assert.equal(entry.body?.reason, 'entry', output());
    const first = dc.waitForEvent('stopped', LAUNCH_TIMEOUT);
    await dc.continueRequest({ threadId: KERNEL });
    await new Promise((r) => setTimeout(r, 200));
    const paused = await dc.pauseRequest({ threadId: KERNEL });
    assert.ok(paused.success);
    const stop = (await first) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'pause', output());
    const stack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
    assert.ok(stack.length > 0);
    assert.match(stack.at(-1)!.name, /^step \d+: /);
    // Continue and pause again: the session is still alive and running.
    const again = dc.waitForEvent('stopped', LAUNCH_TIMEOUT);
    await dc.continueRequest({ threadId: KERNEL });
    await new Promise((r) => setTimeout(r, 100));
    await dc.pauseRequest({ threadId: KERNEL });
    assert.equal(((await again) as DebugProtocol.StoppedEvent).body.reason, 'pause');
    await dc.terminateRequest();
  });

  it('keeps a pause sent right behind the continue, before the simulator has begun the run', async () => {
    await start(dc, { scenario: longScenario(), stopOnEntry: true }, async () => undefined);
    for (let round = 0; round < 3; round++) {
      const stopped = dc.waitForEvent('stopped', LAUNCH_TIMEOUT);
      // Both requests written at once: the pause reaches the adapter before the simulator's thread takes the run.
      const [resumed, paused] = await Promise.all([dc.continueRequest({ threadId: KERNEL }), dc.pauseRequest({ threadId: KERNEL })]);
      assert.ok(resumed.success && paused.success);
      assert.equal(((await stopped) as DebugProtocol.StoppedEvent).body.reason, 'pause', `round ${round}`);
    }
    await dc.terminateRequest();
  });

  it('a driver that throws stops where it throws, then where the kernel gets the exception, then ends', async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'throws.ts');
    const stop = (await start(dc, { driver }, async () => undefined)) as DebugProtocol.StoppedEvent;
    assert.equal(stop.event, 'stopped');
    assert.equal(stop.body.reason, 'exception');
    // First chance: at the throw, in the driver's source.
    const first = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(first.body.exceptionId, 'driverException');
    assert.match(first.body.description ?? '', /^The driver threw at .*throws\.ts:\d+:\d+: TypeError: Cannot read properties of undefined/);
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(top.source?.path, driver);
    assert.equal(top.line, lineWith(driver, 'return device.context'));
    // Then as the kernel reports it.
    const second = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(second.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.match(info.body.exceptionId, /^driverException/);
    assert.match(info.body.description ?? '', /DxgkDdiAddDevice threw/);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: KERNEL });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
    assert.ok(dc.alive, 'the adapter process is still running');
  });

  it('a verifier violation stops the session with the rule and the driver line', async () => {
    const driver = join(ROOT, 'samples', 'drivers', 'buggy', 'dma-buffer-overrun.ts');
    const stop = (await start(dc, { driver }, async () => undefined)) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.text ?? '', /^verifier: dma-buffer-overrun: DxgkDdiBuildPagingBuffer \(Transfer\) wrote past DmaSize/);
    const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(info.body.exceptionId, 'verifier.dma-buffer-overrun');
    assert.match(info.body.description ?? '', /It must check DmaSize before writing and return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER/);
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(top.source?.path, driver);
    assert.ok(top.line > 1);
  });

  // A write seen during the call, a verdict VidMm reaches between calls, one the kernel reaches after the GPU ran,
  for (const [rule, scenarioName, what] of [
    ['operation-inputs-changed', 'multipass', 'the line that wrote the input'],
    ['build-loop-limit', 'multipass', 'the line that set MultipassOffset back'],
    ['cpu-view-changed-on-eviction', 'cpu-access', 'the line that wrote the instruction behind the wrong byte'],
    // Inside the interrupt routine: a callback refused as it is called, and a return judged after it.
    ['interrupt-routine-callbacks', 'default', 'the call of a DPC-level callback'],
    ['interrupt-claimed-foreign', 'shared-interrupt', "the routine's return of TRUE for another device's interrupt"],
  ] as const) {
    it(`a verifier violation stops at the driver's own line that broke the rule, not at the DDI: ${rule}, at ${what}`, async () => {
      const driver = join(ROOT, 'samples', 'drivers', 'buggy', `${rule}.ts`);
      const scenario = join(ROOT, 'samples', 'scenarios', `${scenarioName}.json`);
      const stop = (await start(dc, { driver, scenario }, async () => undefined)) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, 'exception');
      assert.match(stop.body.text ?? '', new RegExp(`^verifier: ${rule}: `));
      const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
      assert.equal(top.source?.path, driver);
      assert.equal(top.line, lineWith(driver, '// BUG'), what);
    });
  }

  it('with the verifier off, the same driver is not stopped by the verifier', async () => {
    const driver = join(ROOT, 'samples', 'drivers', 'buggy', 'dma-buffer-overrun.ts');
    const first = await start(dc, { driver, verifier: false }, async () => undefined);
    if (first.event === 'stopped') {
      const threadId = (first as DebugProtocol.StoppedEvent).body.threadId ?? KERNEL;
      const info = await dc.exceptionInfoRequest({ threadId }).catch(() => undefined);
      assert.ok(!info || !info.body.exceptionId.startsWith('verifier'), `stopped on ${info?.body.exceptionId}`);
    }
  });

  it('with the verifier off, content lost in an eviction is still reported, as the command line does', async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'corruptsEviction.ts');
    const exited = dc.waitForEvent('exited', LAUNCH_TIMEOUT);
    const ended = await start(dc, { driver, verifier: false }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    assert.equal(ended.event, 'terminated');
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
    const out = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
    assert.match(out, /The run failed \[verify\].*content of 'texture' is wrong at byte \d+/);
  });

  it("the debugger's own requests never count toward a TDR: 30,000 instructions disassembled with a 50 ms delay", async () => {
    const entry = await start(dc, { stopOnEntry: true, tdrDelayMs: 50 }, async () => undefined);
    assert.equal(entry.event, 'stopped');
    const r = (await dc.request('disassemble', { memoryReference: '0x0', instructionCount: 30000 })) as DebugProtocol.DisassembleResponse;
    assert.ok(r.success, r.message);
    assert.equal(r.body!.instructions.length, 30000);
    const stepped = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: KERNEL }));
    assert.equal(stepped.body.reason, 'step', 'the session goes on');
    const out = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
    assert.doesNotMatch(out, /TDR/);
  });

  it('shows an argument nested 100,000 deep (and a cycle) level by level, in variables and evaluate', async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'deepArgs.ts');
    await start(dc, { driver }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiCreateAllocation' }] });
    });
    // Step Out: the kernel's stop at the DDI's return (Step In would stop on its first line in the driver).
    await expectEvent(dc, 'stopped', () => dc.stepOutRequest({ threadId: KERNEL }));
    const frame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.match(frame.name, /^DxgkDdiCreateAllocation\(\) → /);
    const args = await vars(dc, (await dc.scopesRequest({ frameId: frame.id })).body.scopes[0].variablesReference);
    let level = args.get('Deep')!;
    for (let i = 0; i < 20; i++) level = (await vars(dc, level.variablesReference)).get('next')!;
    assert.equal(level.value, '{…}');
    const loop = await vars(dc, (await vars(dc, args.get('Loop')!.variablesReference)).get('self')!.variablesReference);
    assert.ok(loop.has('self'));
    for (const expression of ['Deep', 'Deep.next.next', 'Loop.self.self', 'Deep == Loop']) {
      const r = (await dc.request('evaluate', { expression, frameId: frame.id, context: 'watch' })) as DebugProtocol.EvaluateResponse;
      assert.doesNotMatch(r.message ?? '', /call stack/, expression);
    }
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const ended = dc.waitForEvent('terminated', LAUNCH_TIMEOUT);
    await dc.continueRequest({ threadId: KERNEL });
    assert.equal((await ended).event, 'terminated');
    assert.ok(dc.alive);
  });

  it('a driver that hangs is paused on its looping line by the TDR watchdog; Terminate ends it, the adapter keeps answering', async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'hangs.ts');
    const stop = (await start(dc, { driver, tdrDelayMs: 300 }, async () => undefined)) as DebugProtocol.StoppedEvent;
    assert.equal(stop.event, 'stopped');
    assert.equal(stop.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(info.body.exceptionId, 'TDR');
    assert.match(info.body.description ?? '', /^TDR: DxgkDdiAddDevice has run for \d+\.\d s without returning \(tdrDelayMs is 300\)/);
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(top.source?.path, driver);
    const loop = lineWith(driver, 'for (;;)');
    assert.ok(top.line >= loop && top.line <= loop + 2, `paused at line ${top.line}, the loop is at ${loop}`);
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest();
    await terminated;
    assert.ok(dc.alive);
    const threads = await dc.threadsRequest();
    assert.ok(threads.success, 'requests are still answered');
    const after = (await dc.request('stackTrace', { threadId: KERNEL })) as DebugProtocol.Response;
    assert.equal(after.success, false);
    assert.match(after.message ?? '', /ended/);
  });

  it("a driver whose module's top level never returns pauses on its loop (TDR) while it launches; with the TDRs filter off the launch fails with the TDR; the adapter keeps answering", async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'loopsAtLoad.ts');
    await initialize(dc);
    let initialized = dc.waitForEvent('initialized', LAUNCH_TIMEOUT);
    const launched = dc.launchRequest({ driver, tdrDelayMs: 300 } as DebugProtocol.LaunchRequestArguments);
    launched.catch(() => undefined);
    await initialized;
    const tdr = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.configurationDoneRequest());
    assert.equal(tdr.body.reason, 'exception');
    assert.match(tdr.body.text ?? '', /^TDR: DriverEntry \(or the module's top level\) has run for/);
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(top.source?.path, driver);
    assert.ok([6, 7].includes(top.line), `paused in the loop, at line ${top.line}`);
    // Terminate while the driver loads: the session ends, the launch is answered, the adapter goes on.
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
    assert.ok((await launched).success);
    assert.ok(dc.alive);
    assert.ok((await dc.threadsRequest()).success, 'requests are still answered');

    // With the TDRs filter off, the launch fails with the TDR, as the command line reports it.
    const other = new AdapterClient();
    await other.start();
    try {
      await initialize(other);
      initialized = other.waitForEvent('initialized', LAUNCH_TIMEOUT);
      const t0 = Date.now();
      const refused = other.request('launch', { driver, tdrDelayMs: 300 }) as Promise<DebugProtocol.ErrorResponse>;
      await initialized;
      await other.setExceptionBreakpointsRequest({ filters: [] });
      await other.configurationDoneRequest();
      const r = await refused;
      assert.equal(r.success, false);
      assert.match(r.message ?? '', /Timeout detection and recovery \(TDR\).*DriverEntry \(or the module's top level\) did not return/);
      assert.ok(Date.now() - t0 < LAUNCH_TIMEOUT, 'answered, not left hanging');
      assert.ok(other.alive);
      assert.ok((await other.threadsRequest()).success, 'requests are still answered');
      assert.deepEqual(other.violations, []);
    } finally {
      await other.close();
    }
  });

  it("takes the scenario's tdrDelayMs when the launch sets none; with the TDR filter off a hang ends the run, as the command line does", async () => {
    const driver = join(__dirname, 'fixtures', 'drivers', 'hangs.ts');
    const scenario = join(tempDir('paging-lab-tdr-'), 'slow.json');
    writeFileSync(scenario, JSON.stringify({ ...JSON.parse(readFileSync(SCENARIO, 'utf8')), tdrDelayMs: 250 }));
    const ended = await start(dc, { driver, scenario }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['driverException', 'verifier'] });
    });
    assert.equal(ended.event, 'terminated');
    const out = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
    assert.match(out, /Timeout detection and recovery \(TDR\): the driver made no progress for \d+ ms \(tdrDelayMs is 250\): DxgkDdiAddDevice did not return/);
    assert.ok(out.includes(`  at ${driver}:10:`), `the hang is located at the method that spins: ${out}`);
  });
});
